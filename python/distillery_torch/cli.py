"""`python3 -m distillery_torch --config <export .zip or run.json> [--data <CIFAR dir or .tar.gz>] --out <dir>`,
also under `torchrun --nproc_per_node=N -m distillery_torch ...`: reads the export, trains the teachers it did
not bring, then the scratch baseline and the student in lockstep, and (rank 0) writes the run bundle and
every model's safetensors."""
import argparse
import json
import sys
import time

import torch

from .bundle import adapter_of, run_bundle, run_name, write_outputs
from .checkpoints import load_into
from .input_normalization import with_input_normalization
from .cifar import LAYOUTS, DatasetError, load_cifar
from .packed_images import load_packed_images
from .config import METHODS, ConfigError, dataset_image_side, read_run
from .distributed import seed_process, start_world, stop_world
from .models import build_model, model_id_of
from .plan import plan_run
from .refilled_run import train_refilled
from .run import RunData, evaluate, make_learner, result_of, train_phase


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="distillery_torch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="the page's export (.distillery-pytorch.zip) or its run.json")
    parser.add_argument("--data", help="a folder with cifar-10-batches-bin/ or cifar-100-binary/, or the official .tar.gz "
                        "(not for your own images: their export carries them)")
    parser.add_argument("--out", required=True, help="where rank 0 writes the run bundle and models/")
    parser.add_argument("--device", choices=("cpu", "cuda"), default=None, help="default: cuda when available")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch lines")
    parser.add_argument("--nudge-init", action="store_true", help="move every initial weight one float32 step up or "
                        "down (a control: the run's twin that differs only in the last bit of its start)")
    return parser.parse_args(argv)


def saved_teacher(run, folder, num_classes, world, slot):
    """The exported teacher of a slot, loaded with strict=True."""
    entries = [t for t in run["teachers"] if t.get("slot", 0) == slot]
    if not entries:
        raise ConfigError(f"config.savedTeacher names a saved teacher for slot {slot}, but run.json lists no teacher file for it")
    entry = entries[0]
    net = build_model(model_id_of(entry["model"]), entry.get("numClasses", num_classes))
    load_into(net, folder / entry["file"])
    # Trained with other input constants than the dataset's: re-normalised in front, as the page does.
    net = with_input_normalization(net, run["dataset"]["normalization"], entry.get("inputNormalization"))
    return net.to(world.device).eval()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run, folder = read_run(args.config)
    except ConfigError as error:
        print(f"distillery_torch: {error}", file=sys.stderr)
        return 2
    world = start_world(args.device)
    try:
        execute(run, folder, args, world)
    except (ConfigError, DatasetError) as error:
        print(f"distillery_torch: {error}", file=sys.stderr)
        return 2
    finally:
        stop_world(world)
    return 0


def load_data(run, folder, data):
    """(train, test, class names): CIFAR from `--data`, or your own images from the export itself."""
    dataset = run["dataset"]
    if dataset.get("kind") == "image-folder":
        if data is not None:
            raise ConfigError(f"the run is on your own images ({dataset.get('id')}), which travel in the export: leave out --data")
        path = folder / dataset["file"]
        if not path.is_file():
            raise ConfigError(f"the export lacks {dataset['file']}, the images of {dataset.get('id')}: export the run from the page again")
        train, test, class_names = load_packed_images(path)
        if class_names != dataset.get("classNames", class_names):
            raise ConfigError(f"{dataset['file']} holds the classes {', '.join(class_names)}, not run.json's {', '.join(dataset['classNames'])}")
        side, expected = train.images.shape[1], dataset_image_side(dataset)
        if side != expected:
            raise ConfigError(f"{dataset['file']} holds {side}x{side} images, not run.json's {expected}x{expected} (dataset.imageSide)")
        return train, test, class_names
    if data is None:
        raise ConfigError("--data is needed: a folder with cifar-10-batches-bin/ or cifar-100-binary/, or the official .tar.gz")
    kind, train, test, class_names = load_cifar(data)
    num_classes = LAYOUTS[kind]["classes"]
    if dataset.get("numClasses", num_classes) != num_classes:
        raise ConfigError(f"the run is for {dataset['numClasses']} classes, but {data} is {kind}")
    return train, test, class_names


def execute(run, folder, args, world):
    config = run["config"]
    seed_process(config["seed"], world)
    train, test, class_names = load_data(run, folder, args.data)
    num_classes = len(class_names)
    plan = plan_run(config, train.count, test.count)
    if plan["batch"] < world.size:
        raise ConfigError(f"batches of {plan['batch']} cannot be shared by {world.size} processes")
    data = RunData(config, plan, train, test, num_classes, run["dataset"]["normalization"])
    log = (lambda m: None) if args.quiet or not world.main else (lambda m: print(json.dumps(m), flush=True))
    start = time.perf_counter()
    epochs, results, nets, learners = [], [], {}, []
    teachers = []
    for slot, planned in enumerate(plan["teachers"]):
        info = {k: planned[k] for k in ("key", "role", "label", "model", "method")}
        if planned["saved"]:
            teacher = saved_teacher(run, folder, num_classes, world, slot)
            teachers.append(teacher)
            results.append(result_of(info, None, reused=True, evaluation=evaluate(teacher, data, plan["batch"], world)))
        else:
            learner = make_learner(planned, config, num_classes, None, world, data.image_side, args.nudge_init)
            history = train_phase([learner], None, config, plan, data, config["teacherEpochs"], world, log, epochs)[planned["key"]]
            results.append(result_of(info, history))
            teacher = learner.net.eval()
            teachers.append(teacher)
        nets[planned["key"]] = teacher
        learners.append(info)
    # The multi-teacher methods distil from the list, every other method from its one teacher.
    teacher = teachers if METHODS[config["method"]]["teachers"] == "param" else (teachers[0] if teachers else None)
    students = [make_learner(p, config, num_classes, teacher, world, data.image_side, args.nudge_init) for p in plan["students"]]
    if config["method"] == "refilled":  # stage 1 alone first, then stage 2 beside the scratch baseline
        histories = train_refilled(students, teacher, config, plan, data, world, log, epochs, train_phase)
    else:
        histories = train_phase(students, teacher, config, plan, data, config["epochs"], world, log, epochs)
    for student in students:
        results.append(result_of(student.info, histories[student.info["key"]]))
        nets[student.info["key"]] = student.net
        learners.append({k: student.info[k] for k in ("key", "role", "label", "model", "method")})
    if world.main:
        device = world.device
        backend = f"pytorch-{torch.__version__}-{device.type}"
        threads = torch.get_num_threads()
        adapter = adapter_of(device, threads, torch.cuda.get_device_name(device) if device.type == "cuda" else None)
        bundle = run_bundle(run_name(config, world.size, device, threads, args.nudge_init), config, learners, epochs, results,
                            time.perf_counter() - start, backend, adapter)
        accuracy = {r["key"]: r["lastAccuracy"] for r in results}
        dataset = {**run["dataset"], "classNames": run["dataset"].get("classNames", class_names), "imageSide": data.image_side}
        path = write_outputs(args.out, bundle, nets, dataset, accuracy)
        print(f"distillery_torch: wrote {path} and {len(nets)} models in {args.out}/models", flush=True)
