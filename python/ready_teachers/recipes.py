"""The ready teachers' recipes: each is a scratch run of the PyTorch package whose student is the teacher's
architecture, on the whole CIFAR-10 subset (no holdout), with RepDistiller's CIFAR recipe (SGD lr 0.05,
momentum 0.9, weight decay 5e-4, cosine, batch 64, random crop and flip) scaled only in epochs."""

CIFAR10 = {"id": "cifar10-subset", "kind": "cifar10", "numClasses": 10,
           "classNames": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
           "normalization": {"mean": [0.4914, 0.4822, 0.4465], "std": [0.247, 0.2435, 0.2616]}}

# The page's RunConfig keys (src/config/fields.ts FIELDS), at the reference recipe. subset/testSubset are the
# fields' maxima, so the package clamps them to the whole subset (5085 train, 1017 test images).
REFERENCE_RECIPE = {
    "dataset": "cifar10-subset", "teacher": "resnet20", "method": "scratch", "teacherEpochs": 1,
    "subset": 50_000, "holdout": False, "testSubset": 10_000, "batch": 64, "lr": 0.05, "schedule": "cosine",
    "momentum": 0.9, "weightDecay": 5e-4, "nesterov": False, "augment": True, "backend": "auto",
    "reuseTeachers": True, "savedTeacher": "", "userLoss": "", "milestones": "", "decay": 0.1,
}

# id -> what differs from the reference recipe. Epochs: see python/ready_teachers/README.md (measured speed).
TEACHERS = {
    "resnet20": {"model": "resnet20", "epochs": 15, "seed": 1, "label": "ResNet-20",
                 "role": "the reference teacher"},
    "resnet56": {"model": "resnet56", "epochs": 40, "seed": 2, "label": "ResNet-56",
                 "role": "the stronger teacher: deeper, trained longer (40 epochs); more accurate than the ResNet-20 but less well calibrated"},
    "resnet20-weak": {"model": "resnet20", "epochs": 2, "seed": 3, "label": "ResNet-20 (weak)",
                      "role": "a deliberately weak teacher (few epochs)"},
}


def run_config(teacher_id):
    """The run.json (docs/pytorch-run-format.md) of one ready teacher's scratch run."""
    if teacher_id not in TEACHERS:
        raise ValueError(f'unknown ready teacher "{teacher_id}" (known: {", ".join(TEACHERS)})')
    recipe = TEACHERS[teacher_id]
    config = {**REFERENCE_RECIPE, "student": recipe["model"], "epochs": recipe["epochs"], "seed": recipe["seed"],
              "methodParams": {}}
    return {"format": "distillery-pytorch-run", "version": 1, "exportedAt": "2026-12-02T00:00:00.000Z",
            "link": f"method=scratch&student={recipe['model']}&epochs={recipe['epochs']}&seed={recipe['seed']}",
            "config": config, "dataset": CIFAR10, "teachers": []}
