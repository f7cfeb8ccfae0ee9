"""The zoo: model id (the page's `src/models/zoo.ts` ids) -> network with RepDistiller's state_dict names."""
from .common import ZooNet
from .mobile import MobileNetV2, ShuffleV1, ShuffleV2
from .resnet import DFKD_RESNET_CONFIGS, RESNET_CONFIGS, CifarResNet, DfkdResNet, ResNet50
from .seeded_init import seeded_init
from .tiny_cnn import TinyCnn
from .wrn_refilled import REFILLED_WRN_CONFIGS, RefilledWrn
from .wrn_vgg import VGG_CONFIGS, WRN_CONFIGS, Vgg, Wrn

_BUILDERS = {
    "tiny-cnn": TinyCnn,
    **{model_id: (lambda n, m=model_id: CifarResNet(m, n)) for model_id in RESNET_CONFIGS},
    **{model_id: (lambda n, m=model_id: Wrn(m, n)) for model_id in WRN_CONFIGS},
    **{model_id: (lambda n, m=model_id: Vgg(m, n)) for model_id in VGG_CONFIGS},
    "resnet50": ResNet50,
    **{model_id: (lambda n, m=model_id: DfkdResNet(m, n)) for model_id in DFKD_RESNET_CONFIGS},
    **{model_id: (lambda n, m=model_id: RefilledWrn(m, n)) for model_id in REFILLED_WRN_CONFIGS},
    "mobilenetv2": MobileNetV2,
    "shufflev1": ShuffleV1,
    "shufflev2": ShuffleV2,
}
MODEL_IDS = tuple(_BUILDERS)

#: RepDistiller's `model_dict` key of each zoo model (what its scripts and checkpoints call it).
REPDISTILLER_NAME = {
    **{m: m for m in (*RESNET_CONFIGS, *WRN_CONFIGS, *VGG_CONFIGS)},
    "resnet50": "ResNet50", "mobilenetv2": "MobileNetV2", "shufflev1": "ShuffleV1", "shufflev2": "ShuffleV2",
}
_FROM_REPDISTILLER = {name.lower(): model_id for model_id, name in REPDISTILLER_NAME.items()}
_FROM_REPDISTILLER.update({"vgg8_bn": "vgg8", "mobile_half": "mobilenetv2"})


def model_id_of(name):
    """The zoo id of a page id or a RepDistiller name (`ResNet50`, `vgg8_bn`, `MobileNetV2`...)."""
    if name in _BUILDERS:
        return name
    found = _FROM_REPDISTILLER.get(str(name).lower())
    if found is None:
        raise ValueError(f'Unknown model "{name}": the zoo has {", ".join(MODEL_IDS)}.')
    return found


def build_model(name, num_classes, seed=None):
    """A zoo network; with `seed`, its initial weights are the page's for that seed (else PyTorch's own)."""
    model = _BUILDERS[model_id_of(name)](num_classes)
    if seed is not None:
        seeded_init(model, seed)
        if hasattr(model, "dropout_seed"):
            model.dropout_seed = seed  # the page's dropout masks (wrn_refilled.py)
    return model


__all__ = ["MODEL_IDS", "REPDISTILLER_NAME", "ZooNet", "build_model", "model_id_of", "seeded_init"]
