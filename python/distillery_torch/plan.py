"""What a run trains, from the config and the dataset (`src/training/plan.ts`): the learners with their keys,
labels and seeds (the scratch baseline and the student share the student seed, so they start equal), the
sizes after clamping and the steps per epoch (the last incomplete batch is dropped, as the page does)."""
from .config import METHODS
from .holdout import holdout_count
from .keyed_random import derived_seed

MODEL_LABELS = {
    "tiny-cnn": "Tiny CNN", "resnet50": "ResNet-50", "mobilenetv2": "MobileNetV2 (x0.5)",
    "shufflev1": "ShuffleNetV1", "shufflev2": "ShuffleNetV2",
    **{f"resnet{d}": f"ResNet-{d}" for d in (8, 14, 20, 32, 44, 56, 110)},
    "resnet8x4": "ResNet-8x4", "resnet32x4": "ResNet-32x4",
    **{f"wrn_{d}_{w}": f"WRN-{d}-{w}" for d in (16, 40) for w in (1, 2)},
    **{f"vgg{d}": f"VGG-{d}" for d in (8, 11, 13, 16, 19)},
}


def model_label(model_id):
    if model_id not in MODEL_LABELS:
        raise ValueError(f'Unknown model "{model_id}": the zoo has {", ".join(MODEL_LABELS)}.')
    return MODEL_LABELS[model_id]


def plan_run(config, train_count, test_count):
    method = config["method"]
    subset = min(config["subset"], train_count)
    held = holdout_count(subset, config["holdout"] is True)
    train_images = subset - held
    batch = min(config["batch"], train_images)
    teacher_total = METHODS[method]["teachers"]
    if teacher_total == "param":  # the multi-teacher methods: as many as the `teachers` parameter asks
        teacher_total = int(config["methodParams"]["teachers"])
    # savedTeacher names saved models by teacher slot, comma-separated ("m-a,m-b", ",m-b"); an empty slot is trained.
    saved_slots = config["savedTeacher"].split(",") if config["savedTeacher"] else []
    teachers = []
    for i in range(teacher_total):
        saved = i < len(saved_slots) and saved_slots[i] != ""
        name = f"{'Saved teacher' if saved else 'Teacher'}{f' {i + 1}' if teacher_total > 1 else ''} ({model_label(config['teacher'])})"
        teachers.append({"key": f"teacher{i}", "role": "teacher", "label": name, "model": config["teacher"], "method": "scratch",
                         "initSeed": derived_seed(config["seed"], "teacher", i), "saved": saved})
    student_seed = derived_seed(config["seed"], "student")
    student_label = model_label(config["student"])
    scratch = {"key": "scratch", "role": "scratch", "label": f"Scratch student ({student_label})", "model": config["student"],
               "method": "scratch", "initSeed": student_seed}
    student = {"key": "student", "role": "student", "label": f"{METHODS[method]['label']} student ({student_label})",
               "model": config["student"], "method": method, "initSeed": student_seed}
    return {
        "teachers": teachers,
        "students": [scratch] if method == "scratch" else [scratch, student],
        "subsetImages": subset,
        "trainImages": train_images,
        "holdoutImages": held,
        "testImages": min(config["testSubset"], test_count),
        "batch": batch,
        "stepsPerEpoch": train_images // batch,
    }
