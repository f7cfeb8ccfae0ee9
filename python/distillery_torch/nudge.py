"""`--nudge-init`: a twin of the run whose every initial weight sits one float32 step (one ulp) up or down.

Two runs that differ only in the last bit of their start are the purest measure of how far float rounding alone
carries a run of the same seed, batches and augmentation: the reproduction's control for the page-against-PyTorch
gap, beside PyTorch on 2 threads (which reorders only some of its sums)."""
import torch


def nudge_initial_weights(net, seed):
    """Moves every floating-point parameter of `net` one representable float step up or down, in place; the
    directions are a fair coin per element from a generator seeded by `seed` (the learner's init seed), so a
    rerun nudges alike. A zero moves to the smallest subnormal of either sign. Buffers (BatchNorm's running
    statistics) are left alone: they are not weights and are overwritten by the first batches anyway."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in net.parameters():
            if not parameter.dtype.is_floating_point:
                continue
            up = torch.rand(parameter.shape, generator=generator) < 0.5
            infinity = torch.tensor(float("inf"), dtype=parameter.dtype, device=parameter.device)
            parameter.copy_(torch.nextafter(parameter, torch.where(up.to(parameter.device), infinity, -infinity)))
    return net
