"""distillery_torch: the page's experiment (issue 17) on PyTorch, one process or many under torchrun.

`python3 -m distillery_torch --config <export .zip or run.json> --data <CIFAR dir or .tar.gz> --out <dir>`.
"""
