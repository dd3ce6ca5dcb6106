#!/usr/bin/python3
"""Reference files for the weight-file readers (test/io), written by PyTorch itself.

    /usr/bin/python3 scripts/gen_io_fixtures.py OUT_DIR
        writes safetensors and torch.save files into OUT_DIR plus OUT_DIR/manifest.json, which
        lists for every file its tensors in file order (dtype, shape, sha256 of the
        little-endian C-contiguous bytes, and the values of small tensors as strings).

    /usr/bin/python3 scripts/gen_io_fixtures.py --check FILE.safetensors EXPECTED.json
        reads a safetensors file written by our serializer (by hand: the safetensors package is
        not installed) and compares it with EXPECTED.json ({"tensors": [...], "metadata": {...},
        "load_into": "resnet18"?}, entries as in the manifest). Prints a JSON report; exit 1 on
        any difference.

Debian's Python (torch 1.13, torchvision 0.14) is the one with torch; the `python3` first on
PATH may have none.
"""
import argparse
import collections
import hashlib
import io
import json
import math
import os
import struct
import sys
import zipfile

import torch

ST_NAMES = {
    torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16',
    torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8',
    torch.uint8: 'U8', torch.bool: 'BOOL',
}
ST_DTYPES = {v: k for k, v in ST_NAMES.items()}
OUR_NAMES = {k: str(k).replace('torch.', '') for k in ST_NAMES}


def raw_bytes(t):
    """Little-endian (this machine's order) C-contiguous bytes, as RawTensor.bytes holds them."""
    t = t.detach().contiguous().reshape(-1)
    return b'' if t.numel() == 0 else t.view(torch.uint8).numpy().tobytes()


def value_strings(t):
    def one(x):
        if isinstance(x, bool):
            return '1' if x else '0'
        if isinstance(x, int):
            return str(x)
        return 'nan' if math.isnan(x) else 'inf' if x == math.inf else '-inf' if x == -math.inf else repr(x)
    flat = t.detach().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16, torch.float32):
        flat = flat.double()  # exact: these widen to float64 without rounding
    return [one(x) for x in flat.tolist()]


def describe(name, t):
    b = raw_bytes(t)
    entry = {'name': name, 'dtype': OUR_NAMES[t.dtype], 'shape': list(t.shape),
             'nbytes': len(b), 'sha256': hashlib.sha256(b).hexdigest()}
    if t.numel() <= 64:
        entry['values'] = value_strings(t)
    return entry


def write_safetensors(path, tensors, metadata=None):
    """The layout of the Rust writer: JSON header padded with spaces to 8 bytes, then data."""
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header['__metadata__'] = metadata
    for name, t in tensors.items():
        b = raw_bytes(t)
        header[name] = {'dtype': ST_NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def dtype_tensors():
    g = torch.Generator().manual_seed(0)
    specials = [0.0, -0.0, 1.0, -2.5, math.inf, -math.inf, math.nan]
    d = collections.OrderedDict()
    d['f64'] = torch.cat([torch.tensor(specials + [5e-324, 1e308], dtype=torch.float64),
                          torch.randn(7, generator=g, dtype=torch.float64)]).reshape(2, 4, 2)
    d['f32'] = torch.cat([torch.tensor(specials + [1e-45, 3.4e38]), torch.randn(11, generator=g)]).reshape(4, 5)
    d['f16'] = torch.tensor(specials + [65504.0, 6e-8, 0.1], dtype=torch.float16).reshape(2, 5)
    d['bf16'] = torch.tensor(specials + [3e38, 1e-40, 0.1], dtype=torch.bfloat16)
    d['i64'] = torch.tensor([-(2 ** 63), 2 ** 63 - 1, 0, -1, 2 ** 53 + 1, 12345678901234], dtype=torch.int64).reshape(3, 2)
    d['i32'] = torch.tensor([-(2 ** 31), 2 ** 31 - 1, 0, -7], dtype=torch.int32)
    d['i16'] = torch.tensor([-(2 ** 15), 2 ** 15 - 1, 3], dtype=torch.int16)
    d['i8'] = torch.tensor([-128, 127, 0, 5], dtype=torch.int8)
    d['u8'] = torch.tensor([[0, 255], [7, 128]], dtype=torch.uint8)
    d['bool'] = torch.tensor([True, False, True])
    d['scalar'] = torch.tensor(3.5)
    d['empty'] = torch.empty(0, 3)
    d['empty_i64'] = torch.zeros(2, 0, dtype=torch.int64)
    # Integer-like names: a JS object would list these first, so they check that order is kept.
    d['10'] = torch.tensor([10], dtype=torch.int32)
    d['2'] = torch.tensor([2.0], dtype=torch.float64)
    return d


def view_tensors():
    """Tensors that torch.save stores as views: offsets, strides, shared and expanded storages."""
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    g = torch.Generator().manual_seed(1)
    d = collections.OrderedDict()
    d['base'] = base
    d['transposed'] = base.t()
    d['rows'] = base[1:3]  # storage offset 6
    d['column'] = base[:, 2]  # stride 6, offset 2
    d['element'] = base[1, 2]  # 0-d, offset 8
    d['expanded'] = torch.arange(3.0, dtype=torch.float64).expand(4, 3)  # stride (0, 1)
    d['permuted_f16'] = torch.randn(2, 3, 4, generator=g).half().permute(2, 0, 1)
    d['strided_i64'] = torch.arange(20).reshape(4, 5)[1:, ::2]
    d['bool_t'] = (torch.arange(6).reshape(2, 3) % 2 == 0).t()
    d['empty_view'] = base[2:2]
    return d


def resnet18_state_dict():
    import torchvision
    torch.manual_seed(0)
    return torchvision.models.resnet18().state_dict()


def small_training_checkpoint():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(2, 3, 8, 8)).sum().backward()
    opt.step()
    return model.state_dict(), {'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3,
                                'best_acc': 0.875, 'note': None, 'tag': b'\x00\xffraw'}


def train_py_checkpoint():
    """A checkpoint shaped as torchvision's references/classification/train.py saves it: its
    parser's flags (the subset with their defaults, parsed from a recipe's command line), SGD with
    the warm-up + cosine SequentialLR train.py builds, model_ema as its AveragedModel, epoch."""
    p = argparse.ArgumentParser(description="PyTorch Classification Training", add_help=True)
    p.add_argument("--data-path", default="/datasets01/imagenet_full_size/061417/", type=str)
    p.add_argument("--model", default="resnet18", type=str)
    p.add_argument("--device", default="cuda", type=str)
    p.add_argument("-b", "--batch-size", default=32, type=int)
    p.add_argument("--epochs", default=90, type=int)
    p.add_argument("--opt", default="sgd", type=str)
    p.add_argument("--lr", default=0.1, type=float)
    p.add_argument("--momentum", default=0.9, type=float)
    p.add_argument("--wd", "--weight-decay", default=1e-4, type=float, dest="weight_decay")
    p.add_argument("--norm-weight-decay", default=None, type=float)
    p.add_argument("--bias-weight-decay", default=None, type=float)
    p.add_argument("--label-smoothing", default=0.0, type=float, dest="label_smoothing")
    p.add_argument("--mixup-alpha", default=0.0, type=float)
    p.add_argument("--cutmix-alpha", default=0.0, type=float)
    p.add_argument("--lr-scheduler", default="steplr", type=str)
    p.add_argument("--lr-warmup-epochs", default=0, type=int)
    p.add_argument("--lr-warmup-method", default="constant", type=str)
    p.add_argument("--lr-warmup-decay", default=0.01, type=float)
    p.add_argument("--lr-step-size", default=30, type=int)
    p.add_argument("--lr-gamma", default=0.1, type=float)
    p.add_argument("--lr-min", default=0.0, type=float)
    p.add_argument("--auto-augment", default=None, type=str)
    p.add_argument("--random-erase", default=0.0, type=float)
    p.add_argument("--amp", action="store_true")
    p.add_argument("--model-ema", action="store_true")
    p.add_argument("--model-ema-steps", type=int, default=32)
    p.add_argument("--model-ema-decay", type=float, default=0.99998)
    p.add_argument("--clip-grad-norm", default=None, type=float)
    p.add_argument("--ra-sampler", action="store_true")
    p.add_argument("--val-resize-size", default=256, type=int)
    p.add_argument("--val-crop-size", default=224, type=int)
    p.add_argument("--train-crop-size", default=224, type=int)
    p.add_argument("--weights", default=None, type=str)
    args = p.parse_args([  # torchvision's ResNet-50 V2 recipe, scaled down to 3 epochs
        "--model", "resnet50", "--batch-size", "128", "--lr", "0.5", "--lr-scheduler", "cosineannealinglr",
        "--lr-warmup-epochs", "1", "--lr-warmup-method", "linear", "--auto-augment", "ta_wide",
        "--epochs", "3", "--random-erase", "0.1", "--weight-decay", "0.00002", "--norm-weight-decay", "0.0",
        "--label-smoothing", "0.1", "--mixup-alpha", "0.2", "--cutmix-alpha", "1.0", "--train-crop-size", "176",
        "--model-ema", "--val-resize-size", "232", "--ra-sampler"])
    args.distributed = False  # train.py's init_distributed_mode sets it
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten(),
                                torch.nn.Linear(4 * 6 * 6, 10))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=args.lr_warmup_decay, total_iters=1)
    main = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs - 1)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, schedulers=[warm, main], milestones=[1])
    ema = torch.optim.swa_utils.AveragedModel(model)
    model(torch.randn(2, 3, 8, 8)).sum().backward()
    opt.step()
    sched.step()
    ema.update_parameters(model)
    ckpt = {"model": model.state_dict(), "optimizer": opt.state_dict(), "lr_scheduler": sched.state_dict(),
            "epoch": 0, "args": args, "model_ema": ema.state_dict()}
    return model.state_dict(), ckpt


class Evil:
    """Loading a pickle of this with torch.load runs the shell command: what we must refuse."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def rezip(src, dst, drop=(), compress=zipfile.ZIP_STORED, transform=None, extra=None):
    """Copies a checkpoint's zip entries, minus `drop`, through `transform(name, data)`."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', compress) as zout:
        for info in zin.infolist():
            if any(info.filename.endswith(d) for d in drop):
                continue
            data = zin.read(info.filename)
            zout.writestr(info.filename, transform(info.filename, data) if transform else data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)


def write_zip64(src, dst):
    """Every 32-bit size/offset saturated and given in zip64 extra fields, zip64 end records."""
    with zipfile.ZipFile(src) as zin:
        files = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    out, central = bytearray(), bytearray()
    for name, data in files:
        n, crc, off = name.encode(), zipfile.crc32(data) & 0xFFFFFFFF, len(out)
        local_extra = struct.pack('<HHQQ', 1, 16, len(data), len(data))
        out += struct.pack('<IHHHHHIIIHH', 0x04034B50, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(n), len(local_extra))
        out += n + local_extra + data
        extra = struct.pack('<HHQQQ', 1, 24, len(data), len(data), off)
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014B50, 45, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                               len(n), len(extra), 0, 0, 0, 0, 0xFFFFFFFF) + n + extra
    cd_offset = len(out)
    out += central
    z64 = len(out)
    out += struct.pack('<IQHHIIQQQQ', 0x06064B50, 44, 45, 45, 0, 0, len(files), len(files), len(central), cd_offset)
    out += struct.pack('<IIQI', 0x07064B50, 0, z64, 1)
    out += struct.pack('<IHHHHIIH', 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(dst, 'wb') as f:
        f.write(out)


def generate(out):
    os.makedirs(out, exist_ok=True)
    P = lambda name: os.path.join(out, name)
    manifest = {'torch': torch.__version__, 'safetensors': {}, 'pth': {}}

    def record(kind, fname, tensors, **extra):
        manifest[kind][fname] = dict(tensors=[describe(k, v) for k, v in tensors.items()], **extra)

    dt, views = dtype_tensors(), view_tensors()
    meta = {'format': 'pt', 'note': 'ünïcode ✓'}
    write_safetensors(P('dtypes.safetensors'), dt, meta)
    record('safetensors', 'dtypes.safetensors', dt, metadata=meta)
    sd18 = resnet18_state_dict()
    write_safetensors(P('resnet18.safetensors'), sd18)
    record('safetensors', 'resnet18.safetensors', sd18, metadata={})

    torch.save(dt, P('dtypes.pth'))
    record('pth', 'dtypes.pth', dt)
    torch.save(views, P('views.pth'))
    record('pth', 'views.pth', views)
    torch.save(sd18, P('resnet18.pth'))
    record('pth', 'resnet18.pth', sd18)
    small_sd, ckpt = small_training_checkpoint()
    torch.save(ckpt, P('wrapped.pth'))
    record('pth', 'wrapped.pth', small_sd, key='model', entries=list(ckpt.keys()),
           epoch=ckpt['epoch'], best_acc=ckpt['best_acc'], tag=list(ckpt['tag']))
    ckpt_args = dict(ckpt, args=argparse.Namespace(lr=0.1, epochs=90))
    torch.save(ckpt_args, P('wrapped_args.pth'))
    record('pth', 'wrapped_args.pth', small_sd, key='model')

    tv_sd, tv_ckpt = train_py_checkpoint()
    torch.save(tv_ckpt, P('train_py.pth'))
    record('pth', 'train_py.pth', tv_sd, key='model', entries=list(tv_ckpt.keys()), epoch=tv_ckpt['epoch'],
           args=vars(tv_ckpt['args']), ema=[describe(k, v) for k, v in tv_ckpt['model_ema'].items()])

    torch.save(views, P('legacy_views.pth'), _use_new_zipfile_serialization=False)
    record('pth', 'legacy_views.pth', views)
    torch.save(views, P('proto4.pth'), pickle_protocol=4)  # FRAME, MEMOIZE, STACK_GLOBAL...
    record('pth', 'proto4.pth', views)

    rezip(P('dtypes.pth'), P('deflate.pth'), compress=zipfile.ZIP_DEFLATED)
    record('pth', 'deflate.pth', dt, torch_loads=loads(P('deflate.pth')))
    write_zip64(P('views.pth'), P('zip64.pth'))
    record('pth', 'zip64.pth', views, torch_loads=loads(P('zip64.pth')))

    # A big-endian checkpoint: every storage record byte-swapped per element, byteorder "big".
    with zipfile.ZipFile(P('dtypes.pth')) as z:
        prefix = z.namelist()[0].split('/')[0]
        assert sum('/data/' in n for n in z.namelist()) == len(dt)
    # torch.save numbers storages in order of first use: here one per tensor, in dict order.
    element_sizes = {str(i): t.element_size() for i, t in enumerate(dt.values())}

    def to_big(name, data):
        if '/data/' not in name:
            return data
        size = element_sizes[name.rsplit('/', 1)[1]]
        return b''.join(data[i:i + size][::-1] for i in range(0, len(data), size))
    rezip(P('dtypes.pth'), P('big_endian.pth'), transform=to_big, extra={f'{prefix}/byteorder': b'big'})
    record('pth', 'big_endian.pth', dt)

    rezip(P('dtypes.pth'), P('missing_storage.pth'), drop=['/data/3'])
    manifest['missing_storage'] = {'file': 'missing_storage.pth', 'entry': f'{prefix}/data/3'}

    # The malicious checkpoints name os.system (posix.system here) and builtins.eval. The proof
    # copies, loaded here with torch.load, show the payload really runs when unpickled by Python.
    marker, proof = P('pwned_marker'), P('proof_marker')
    torch.save({'weight': torch.ones(2), 'evil': Evil(f'touch {marker}')}, P('malicious.pth'))
    torch.save({'weight': torch.ones(2), 'evil': Evil(f'touch {proof}')}, P('proof.pth'))
    torch.load(P('proof.pth'))
    runs = os.path.exists(proof)
    for f in (proof, P('proof.pth')):
        os.remove(f)

    class EvilEval:
        def __reduce__(self):
            return (eval, (f"__import__('os').system('touch {marker}')",))
    torch.save({'evil': EvilEval()}, P('malicious_legacy.pth'), _use_new_zipfile_serialization=False)
    manifest['malicious'] = [
        {'file': 'malicious.pth', 'global': f'{os.system.__module__}.{os.system.__name__}', 'marker': marker,
         'torch_load_runs_payload': runs},
        {'file': 'malicious_legacy.pth', 'global': f'{eval.__module__}.{eval.__name__}', 'marker': marker},
    ]
    assert not os.path.exists(marker)
    with open(P('manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)


def loads(path):
    try:
        torch.load(path)
        return True
    except Exception:  # torch's own reader may refuse what ours accepts; the manifest says so
        return False


def check(path, expected_path):
    """Compares a safetensors file written by our serializer with EXPECTED (see module doc)."""
    with open(expected_path) as f:
        expected = json.load(f)
    problems = []
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n], object_pairs_hook=collections.OrderedDict)
    if n % 8 != 0:
        problems.append(f'header length {n} is not a multiple of 8')
    body = data[8 + n:]
    metadata = header.pop('__metadata__', {})
    if metadata != expected.get('metadata', {}):
        problems.append(f'metadata {metadata!r} != expected {expected.get("metadata")!r}')
    spans = sorted(tuple(v['data_offsets']) for v in header.values())
    cursor = 0
    for b, e in spans:
        if b != cursor:
            problems.append(f'data not tiled at {cursor}: next tensor starts at {b}')
        cursor = e
    if cursor != len(body):
        problems.append(f'data is {len(body)} bytes, tensors cover {cursor}')
    names = [e['name'] for e in expected['tensors']]
    if list(header.keys()) != names:
        problems.append(f'names/order differ: {list(header.keys())[:5]}... vs {names[:5]}...')
    tensors = collections.OrderedDict()
    for name, info in header.items():
        b, e = info['data_offsets']
        dtype = ST_DTYPES[info['dtype']]
        t = torch.frombuffer(bytearray(body[b:e]), dtype=dtype) if e > b else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info['shape'])
    for exp in expected['tensors']:
        t = tensors.get(exp['name'])
        if t is None:
            continue
        got = describe(exp['name'], t)
        for field in ('dtype', 'shape', 'sha256'):
            if got[field] != exp[field]:
                problems.append(f"{exp['name']}: {field} {got[field]!r} != expected {exp[field]!r}")
    if expected.get('load_into') == 'resnet18' and not problems:
        import torchvision
        torchvision.models.resnet18().load_state_dict(tensors, strict=True)
    print(json.dumps({'ok': not problems, 'tensors': len(tensors), 'problems': problems}))
    return 0 if not problems else 1


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == '--check':
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    generate(sys.argv[1])
