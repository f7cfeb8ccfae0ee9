"""One process or many under torchrun. The page's data order stays the global order: step s of epoch e takes
the same global batch (order[s*B:(s+1)*B]) and the same augmentation draws in every world size, and each
process trains on its strided share of it (DistributedSampler's `indices[rank::world]`, within the batch).
Evaluation splits the test images into contiguous shards without padding and gathers every image's logits
once, so metrics count each test image exactly once. gloo on CPU, nccl on GPU; rank 0 writes the outputs."""
import os

import numpy as np
import torch
import torch.distributed as dist

from .keyed_random import derived_seed


class World:
    def __init__(self, rank=0, size=1, device=None):
        self.rank, self.size = rank, size
        self.device = device or torch.device("cpu")

    @property
    def distributed(self):
        return self.size > 1

    @property
    def main(self):
        return self.rank == 0

    def share(self, global_indices):
        """This process's part of a global batch (strided, as DistributedSampler deals an epoch)."""
        return global_indices[self.rank::self.size]

    def shard(self, count):
        """This process's contiguous range [begin, end) of `count` evaluation images; no padding."""
        per, extra = divmod(count, self.size)
        begin = self.rank * per + min(self.rank, extra)
        return begin, begin + per + (1 if self.rank < extra else 0)

    def gather_rows(self, rows):
        """Every process's rows (numpy arrays), concatenated in rank order (= the original image order)."""
        if not self.distributed:
            return rows
        parts = [None] * self.size
        dist.all_gather_object(parts, rows)
        return np.concatenate(parts)

    def mean(self, values):
        """Each float averaged over the processes (train loss and terms: every process has an equal share)."""
        if not self.distributed:
            return values
        tensor = torch.tensor(values, dtype=torch.float64)
        dist.all_reduce(tensor)
        return (tensor / self.size).tolist()

    def sync_buffers(self, module):
        """Rank 0's buffers (BatchNorm running statistics) on every process."""
        if self.distributed:
            for buffer in module.buffers():
                dist.broadcast(buffer, 0)

    def total(self, value):
        if not self.distributed:
            return value
        tensor = torch.tensor([value], dtype=torch.float64)
        dist.all_reduce(tensor)
        return float(tensor[0])


def start_world(device_name):
    """The World of this process: from torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK) or a single one."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    use_cuda = device_name == "cuda" or (device_name is None and torch.cuda.is_available())
    if use_cuda and not torch.cuda.is_available():
        raise RuntimeError("--device cuda: this PyTorch sees no CUDA device")
    if size == 1:
        return World(device=torch.device("cuda" if use_cuda else "cpu"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if use_cuda else "gloo")
    return World(dist.get_rank(), dist.get_world_size(), device)


def seed_process(seed, world):
    """Per-process seeds derived from the run's seed for torch's own generator (the page's draws are keyed
    and do not use it: weights, order and augmentation are the same in every world size)."""
    torch.manual_seed(derived_seed(seed, "torch-process", world.rank))


def stop_world(world):
    if world.distributed and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
