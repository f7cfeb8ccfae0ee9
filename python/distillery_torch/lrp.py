"""Layer-wise relevance propagation for every network of the zoo, and the explainable oracle's x* with it, as
the page computes them (`src/methods/lrp/`: index.ts, trace.ts, families.ts, shufflenets.ts; the rules in
`lrp_rules.py`). Eval mode throughout: BatchNorm uses its running statistics, folded into the convolution
before it. A forward pass is recorded node by node (each node with how its relevance splits among its
inputs), then walked backwards; relevance reaching a node from several consumers is summed there.
"""
import torch
import torch.nn.functional as F

from .input_normalization import RenormalizedTeacher
from .lrp_rules import (LrpRule, affine_relevance, channel_layer, conv_layer, dense_layer, input_gradient,
                        pool_relevance, relevance_rule, sum_relevance)
from .models.mobile import MobileNetV2, ShuffleV1, ShuffleV2, channel_shuffle
from .models.resnet import CifarResNet, ResNet50
from .models.tiny_cnn import TinyCnn
from .models.wrn_vgg import Vgg, Wrn

__all__ = ["LrpRule", "lrp_dense", "lrp_logits", "lrp_oracle_input", "lrp_relevance", "relevance_rule"]

# The pooling maps of the zoo, each applied to a post-ReLU map. ShuffleV1's shortcut counts its one pixel
# of zero padding in every mean (avg_pool2d's count_include_pad), as the page's pad-then-pool does.
MAX_2X2 = lambda a: F.max_pool2d(a, 2)  # noqa: E731
GLOBAL_AVERAGE = lambda a: a.mean(dim=(2, 3))  # noqa: E731
AVERAGE_3X3 = lambda a: F.avg_pool2d(a, 3, 2, 1)  # noqa: E731


class LrpTrace:
    """A recorded forward: node 0 is the input; every other node keeps its value and a function giving the
    shares of its relevance that go to its inputs, as [(input node, relevance)]."""

    def __init__(self, x):
        self.values = [x]
        self._splits = [None]
        self.input = 0

    def _push(self, value, split):
        self.values.append(value)
        self._splits.append(split)
        return len(self.values) - 1

    def affine(self, layer, node):
        a = self.values[node]
        z = layer(a)
        return self._push(z, lambda r, rule: [(node, affine_relevance(layer, a, r, rule, z))])

    def relu(self, node):
        # Relevance passes through: where the ReLU cut, the output (hence its relevance) is already 0.
        return self._push(F.relu(self.values[node]), lambda r, rule: [(node, r)])

    def add(self, i, j):
        a, b = self.values[i], self.values[j]
        return self._push(a + b, lambda r, rule: list(zip((i, j), sum_relevance(a, b, r, rule))))

    def pool(self, pool, node):
        a = self.values[node]
        pooled = pool(a)
        return self._push(pooled, lambda r, rule: [(node, pool_relevance(pool, a, pooled, r, rule))])

    def concat(self, nodes):
        """Channel concatenation; relevance is split back by channel."""
        widths = [self.values[n].shape[1] for n in nodes]
        value = torch.cat([self.values[n] for n in nodes], 1)
        return self._push(value, lambda r, rule: list(zip(nodes, torch.split(r, widths, 1))))

    def rearrange(self, move, node):
        """A map that only moves values (a channel shuffle or slice): relevance moves back with them."""
        a = self.values[node]
        return self._push(move(a), lambda r, rule: [(node, input_gradient(move, a, r))])

    def relevance(self, output, output_relevance, rule):
        """The input's relevance, given node `output`'s. Nodes come in creation order, so every consumer of
        a node comes after it and the node's relevance is complete when the walk reaches it."""
        pending = {output: output_relevance}
        for index in range(output, self.input, -1):
            r = pending.pop(index, None)
            if r is None:
                continue
            for node, share in self._splits[index](r, rule):
                pending[node] = share if node not in pending else pending[node] + share
        return pending.get(self.input, torch.zeros_like(self.values[self.input]))


def _conv_bn(trace, conv, bn, node, relu=True):
    h = trace.affine(conv_layer(conv, bn), node)
    return trace.relu(h) if relu else h


def _head(trace, linear, node):
    return trace.affine(dense_layer(linear.weight, linear.bias), trace.pool(GLOBAL_AVERAGE, node))


def _walk_tiny_cnn(net, trace):
    h = trace.input
    for i in range(len([name for name, _ in net.named_children() if name.startswith("block")])):
        if i > 0:
            h = trace.pool(MAX_2X2, h)
        block = getattr(net, f"block{i}")
        h = _conv_bn(trace, block.conv, block.bn, h)
    return _head(trace, net.fc, h)


def _walk_resnet(net, trace):
    """Post-activation BasicBlocks (CIFAR ResNets) or Bottlenecks (ResNet50): relu(branch + shortcut)."""
    h = _conv_bn(trace, net.conv1, net.bn1, trace.input)
    stages = 4 if isinstance(net, ResNet50) else 3
    for s in range(1, stages + 1):
        for block in getattr(net, f"layer{s}"):
            if isinstance(net, ResNet50):
                inner = _conv_bn(trace, block.conv2, block.bn2, _conv_bn(trace, block.conv1, block.bn1, h))
                branch = _conv_bn(trace, block.conv3, block.bn3, inner, relu=False)
                projection = block.shortcut if len(block.shortcut) else None
            else:
                branch = _conv_bn(trace, block.conv2, block.bn2, _conv_bn(trace, block.conv1, block.bn1, h), relu=False)
                projection = block.downsample
            residual = _conv_bn(trace, projection[0], projection[1], h, relu=False) if projection is not None else h
            h = trace.relu(trace.add(branch, residual))
    return _head(trace, net.linear if isinstance(net, ResNet50) else net.fc, h)


def _walk_wrn(net, trace):
    """Pre-activation blocks conv2(relu(bn2(conv1(a)))) + shortcut, a = relu(bn1(x)): bn2 folds into conv1;
    bn1 and the final bn follow a residual sum (or the bare stem), so they stay per-channel affine layers."""
    h = trace.affine(conv_layer(net.conv1), trace.input)
    for s in (1, 2, 3):
        for block in getattr(net, f"block{s}").layer:
            a = trace.relu(trace.affine(channel_layer(block.bn1), h))
            branch = trace.affine(conv_layer(block.conv2), _conv_bn(trace, block.conv1, block.bn2, a))
            h = trace.add(branch, trace.affine(conv_layer(block.convShortcut), a) if block.convShortcut is not None else h)
    return _head(trace, net.fc, trace.relu(trace.affine(channel_layer(net.bn1), h)))


def _walk_vgg(net, trace):
    size = trace.values[trace.input].shape[2]
    h = trace.input
    for b in range(5):
        if 1 <= b <= 3 or (b == 4 and size == 64):
            h = trace.pool(MAX_2X2, h)
        units = getattr(net, f"block{b}")
        for u in range(0, len(units), 3):  # conv (with bias), BatchNorm, ReLU
            h = _conv_bn(trace, units[u], units[u + 1], h)
    return _head(trace, net.classifier, h)


def _walk_mobilenetv2(net, trace):
    h = _conv_bn(trace, net.conv1[0], net.conv1[1], trace.input)
    for group in net.blocks:
        for block in group:
            c = block.conv
            filtered = _conv_bn(trace, c[3], c[4], _conv_bn(trace, c[0], c[1], h))
            projected = _conv_bn(trace, c[6], c[7], filtered, relu=False)
            h = trace.add(h, projected) if block.residual else projected
    return _head(trace, net.classifier[0], _conv_bn(trace, net.conv2[0], net.conv2[1], h))


def _walk_shufflev1(net, trace):
    """relu(branch + x), or relu([branch, avgpool(x)]) where the block strides."""
    h = _conv_bn(trace, net.conv1, net.bn1, trace.input)
    for s in (1, 2, 3):
        for block in getattr(net, f"layer{s}"):
            inner = _conv_bn(trace, block.conv1, block.bn1, h)
            if block.shuffle_groups > 1:
                inner = trace.rearrange(lambda a, g=block.shuffle_groups: channel_shuffle(a, g), inner)
            branch = _conv_bn(trace, block.conv3, block.bn3, _conv_bn(trace, block.conv2, block.bn2, inner), relu=False)
            h = trace.relu(trace.concat([branch, trace.pool(AVERAGE_3X3, h)]) if block.stride == 2 else trace.add(branch, h))
    return _head(trace, net.linear, h)


def _shuffle2(a):
    return channel_shuffle(a, 2)


def _walk_shufflev2(net, trace):
    """Down blocks (two strided branches, concatenated) and split blocks ([x1, branch(x2)]), each shuffled."""
    h = _conv_bn(trace, net.conv1, net.bn1, trace.input)
    for s in (1, 2, 3):
        down, *splits = getattr(net, f"layer{s}")
        left = _conv_bn(trace, down.conv2, down.bn2, _conv_bn(trace, down.conv1, down.bn1, h, relu=False))
        right = _conv_bn(trace, down.conv4, down.bn4, _conv_bn(trace, down.conv3, down.bn3, h), relu=False)
        h = trace.rearrange(_shuffle2, trace.concat([left, _conv_bn(trace, down.conv5, down.bn5, right)]))
        for block in splits:
            k = block.split
            kept = trace.rearrange(lambda a, k=k: a[:, :k], h)
            branch = trace.rearrange(lambda a, k=k: a[:, k:], h)
            branch = _conv_bn(trace, block.conv2, block.bn2, _conv_bn(trace, block.conv1, block.bn1, branch), relu=False)
            h = trace.rearrange(_shuffle2, trace.concat([kept, _conv_bn(trace, block.conv3, block.bn3, branch)]))
    return _head(trace, net.linear, _conv_bn(trace, net.conv2, net.bn2, h))


_WALKERS = ((TinyCnn, _walk_tiny_cnn), ((CifarResNet, ResNet50), _walk_resnet), (Wrn, _walk_wrn), (Vgg, _walk_vgg),
            (MobileNetV2, _walk_mobilenetv2), (ShuffleV1, _walk_shufflev1), (ShuffleV2, _walk_shufflev2))


def trace_network(net, x):
    """(trace, logits node) of `net`'s eval-mode forward on x, BatchNorm folded; a ValueError for a network
    whose layers LRP does not know. A re-normalised teacher is walked on its own inputs x_own (each pixel's
    relevance passes the element-wise affine unchanged, as the page's traceNetwork)."""
    if isinstance(net, RenormalizedTeacher):
        return trace_network(net.inner, net.renormalize(x))
    for family, walk in _WALKERS:
        if isinstance(net, family):
            trace = LrpTrace(x)
            return trace, walk(net, trace)
    raise ValueError(f'LRP cannot walk network "{getattr(net, "model_id", type(net).__name__)}": it knows the zoo\'s '
                     "tiny-cnn, ResNet, ResNet50, WRN, VGG, MobileNetV2 and ShuffleNet V1/V2 networks")


def _check_rule(rule):
    if not isinstance(rule, LrpRule):
        raise TypeError(f"rule must be an LrpRule (epsilon, gamma or zplus), not {rule!r}")


@torch.no_grad()
def lrp_logits(net, x):
    """The logits as the LRP walker computes them (eval mode, BatchNorm folded): net.eval()(x) up to rounding."""
    trace, logits = trace_network(net, x)
    return trace.values[logits]


@torch.no_grad()
def lrp_relevance(net, x, targets, rule):
    """Relevance of each input value for the logit at targets[i], same shape as x: it starts as that logit
    (0 for the other classes) and flows back layer by layer under `rule`."""
    _check_rule(rule)
    if len(targets) != len(x):
        raise ValueError(f"LRP needs one target per sample: {len(targets)} targets for a batch of {len(x)}")
    trace, logits = trace_network(net, x.detach())
    output = trace.values[logits]
    start = output * F.one_hot(targets.long(), output.shape[1]).to(output.dtype)
    return trace.relevance(logits, start, rule)


def lrp_oracle_input(net, x, labels, rule, gamma, steps=1, batch_size=None):
    """x* = x + (gamma / B) * sign(x) * R, R = lrp_relevance(x; the true label's logit), `steps` times on the
    previous x* (index.ts lrpOracleInput): the seed's step with LRP in place of gradient x |input|. B is
    `batch_size` (the global batch when this process holds only its share of it), else len(x)."""
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps}")
    step_size = gamma / (batch_size or len(x))
    current = x.detach()
    for _ in range(int(steps)):
        current = current + torch.sign(current) * lrp_relevance(net, current, labels, rule) * step_size
    return current


@torch.no_grad()
def lrp_dense(layers, x, targets, rule):
    """relevance.ts lrpDense: a dense ReLU network [(weight [in, out], bias [out])] (the reference's layout),
    the same rule at every layer, relevance starting at the target logit."""
    _check_rule(rule)
    trace = LrpTrace(x)
    h = trace.input
    for i, (weight, bias) in enumerate(layers):
        h = trace.affine(dense_layer(weight.T, bias), h)
        if i < len(layers) - 1:
            h = trace.relu(h)
    output = trace.values[h]
    start = output * F.one_hot(targets.long(), output.shape[1]).to(output.dtype)
    return trace.relevance(h, start, rule)
