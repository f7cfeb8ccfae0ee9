"""One learner (a network, its method's modules and its SGD) and its training step, as the page's
`src/training/learner.ts`: forward in training mode, the method's terms summed, backward, SGD at this step's
learning rate. Under torchrun the network and modules train inside DistributedDataParallel, which averages
the gradients over the processes during backward."""
import warnings

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from .methods import step_terms


# 1x1 convolutions' gradients come back with other strides than DDP's buckets; harmless, and noisy on every step.
warnings.filterwarnings("ignore", message="Grad strides do not match bucket view strides")


class _Trainable(nn.Module):
    """The network and the method's modules as one module, so one DDP wrapper reduces all their gradients."""

    def __init__(self, net, modules):
        super().__init__()
        self.net = net
        self.modules_ = modules

    def forward(self, x):
        return self.net(x, is_feat=True)


class Learner:
    def __init__(self, info, net, method, params, modules, config, distributed=False, device=None):
        self.info = info  # {key, role, label, model, method, parameters}
        self.net = net
        self.method = method
        self.params = params
        self.modules = modules
        trainable = _Trainable(net, modules)
        # A method's own modules may sit out a step (CA-MKD's embedders in its first epoch), which DDP must be told.
        self.forward = DistributedDataParallel(trainable, device_ids=[device.index] if device is not None and device.type == "cuda" else None,
                                               find_unused_parameters=modules is not None) if distributed else trainable
        # PyTorch's SGD is the page's rule: g = grad + wd*w; v = m*v + g; w -= lr * (nesterov ? g + m*v : v).
        self.diagnostics = {}  # the last step's (the multi-teacher methods' teacher weights)
        self.optimizer = torch.optim.SGD(trainable.parameters(), lr=config["lr"], momentum=config["momentum"],
                                         weight_decay=config["weightDecay"], nesterov=config["nesterov"])

    def step(self, x, labels, teacher_out, lr, epoch=0, teacher_nets=()):
        """One update on (x, labels); returns (loss, correct, terms) as floats of this process's batch and
        keeps the step's diagnostics in `self.diagnostics`."""
        self.net.train()
        if self.modules is not None:
            self.modules.train()
        student_out = self.forward(x)
        terms, self.diagnostics = step_terms(self.method, self.params, student_out, teacher_out, labels, self.modules, epoch, teacher_nets)
        loss = sum(terms.values())
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        correct = (student_out[1].argmax(dim=1) == labels).sum()
        return float(loss), float(correct), {name: float(t) for name, t in terms.items()}
