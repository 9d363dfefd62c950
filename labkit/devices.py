"""Device plumbing: an honest estimate of the CPU's peak speed, and a CUDA stand-in for tests.

``cpu_peak_gflops()`` estimates the float32 peak of this machine's CPU from what the operating
system exposes (cores, clock, vector instruction flags), so a notebook can print measured GFLOP/s
next to it. It is an *estimate* (an upper bound, in fact): see :class:`CpuPeak`.

``pretend_cuda()`` and ``cuda_or_simulated()`` let a test check GPU-only behaviour on a CPU-only
machine (where a real GPU exists they check the real thing), so the points of a test never depend
on the hardware. They import PyTorch when called; importing this module imports no framework.
"""
from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

#: float32 FLOPs per cycle and core for each vector extension, assuming two full-width FMA units
#: (one fused multiply-add = 2 FLOPs per lane): 512-bit = 16 lanes, 256-bit = 8, 128-bit = 4.
FLOPS_PER_CYCLE = {
    "AVX-512 + FMA": 2 * 16 * 2,
    "AVX2 + FMA": 2 * 8 * 2,
    "AVX": 8 * 2,      # one 256-bit add and one 256-bit multiply per cycle, no FMA
    "SSE": 4 * 2,
    "NEON/ASIMD": 2 * 4 * 2,
}
ASSUMED_GHZ = 3.0  # when the system does not say


@dataclass(frozen=True)
class CpuPeak:
    """Estimated float32 peak of a CPU: ``cores × ghz × flops_per_cycle``.

    An upper bound rather than a promise: it assumes every core runs two full-width FMA units at
    the stated clock all the time. Virtual CPUs that are hyper-threads share those units, some
    processors split 512-bit instructions in two 256-bit halves, and the clock changes with load
    and temperature — measured GFLOP/s of 30–70 % of this figure are already good.
    """

    cores: int
    ghz: float
    clock_source: str
    isa: str
    flops_per_cycle: int
    gflops: float

    def __str__(self) -> str:
        return (f"pico teórico estimado ≈ {self.gflops:.0f} GFLOP/s = {self.cores} núcleo(s) × "
                f"{self.ghz:.2f} GHz ({self.clock_source}) × {self.flops_per_cycle} FLOP/ciclo "
                f"({self.isa}, float32)")


def _read_cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:  # macOS, Windows: no /proc
        return ""


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _isa(flags: set[str]) -> str:
    if "avx512f" in flags and "fma" in flags:
        return "AVX-512 + FMA"
    if "avx2" in flags and "fma" in flags:
        return "AVX2 + FMA"
    if "avx" in flags:
        return "AVX"
    if "asimd" in flags or "neon" in flags:
        return "NEON/ASIMD"
    return "SSE"


def cpu_peak_gflops(cpuinfo: str | None = None, *, cores: int | None = None,
                    ghz: float | None = None) -> CpuPeak:
    """Estimate the float32 peak (GFLOP/s) of this CPU from ``/proc/cpuinfo``.

    ``cores`` defaults to the CPUs this process may use; ``ghz`` to the mean ``cpu MHz`` that
    ``/proc/cpuinfo`` reports (or :data:`ASSUMED_GHZ` when it says nothing); the FLOPs per cycle
    come from the vector flags (``avx512f``, ``avx2``, ``fma``, ``avx``, ``asimd``). Pass
    ``cpuinfo`` (the file's text) to estimate another machine.
    """
    text = _read_cpuinfo() if cpuinfo is None else cpuinfo
    flags: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    if ghz is not None:
        clock, source = float(ghz), "indicada"
    else:
        mhz = [float(m) for m in re.findall(r"^cpu MHz\s*:\s*([0-9.]+)", text, re.MULTILINE)]
        if mhz:
            clock, source = sum(mhz) / len(mhz) / 1000.0, "la que declara /proc/cpuinfo"
        else:
            clock, source = ASSUMED_GHZ, "supuesta"
    n = int(cores) if cores is not None else _usable_cores()
    isa = _isa(flags)
    per_cycle = FLOPS_PER_CYCLE[isa]
    return CpuPeak(n, clock, source, isa, per_cycle, n * clock * per_cycle)


# --------------------------------------------------------------------------- CUDA for tests
@contextlib.contextmanager
def pretend_cuda(available: bool = True, name: str = "GPU simulada") -> Iterator[None]:
    """Make ``torch.cuda`` *say* that a GPU exists (or that none does) without touching CUDA.

    Patches ``torch.cuda.is_available``, ``device_count``, ``current_device``,
    ``get_device_name`` and ``get_device_properties`` for the duration of the block. Nothing
    runs on a GPU: this only tests code that *decides* from these functions.
    """
    from unittest import mock

    import torch

    props = SimpleNamespace(name=name, total_memory=16 * 2**30, major=9, minor=0,
                            multi_processor_count=132)
    with contextlib.ExitStack() as stack:
        for attr, value in [("is_available", lambda: available),
                            ("device_count", lambda: 1 if available else 0),
                            ("current_device", lambda: 0),
                            ("get_device_name", lambda device=None: name),
                            ("get_device_properties", lambda device=None: props)]:
            stack.enter_context(mock.patch.object(torch.cuda, attr, value))
        yield


@dataclass
class CudaLog:
    """What happened on the (real or simulated) GPU inside :func:`cuda_or_simulated`.

    ``events`` is a list of ``"matmul"`` (a matrix product was launched), ``"sync"``
    (``torch.cuda.synchronize`` was called) and ``"host"`` (a GPU tensor was copied to the host:
    ``.cpu()``, ``.item()``, ``.tolist()``, ``float(...)`` …, which also waits for the GPU).
    """

    simulated: bool
    events: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.events.clear()

    def waited_after_last_matmul(self) -> bool:
        """True when a ``sync`` or ``host`` event follows the last ``matmul``."""
        if "matmul" not in self.events:
            return False
        last = len(self.events) - 1 - self.events[::-1].index("matmul")
        return any(e in ("sync", "host") for e in self.events[last + 1:])


_MATMUL = {"matmul", "__matmul__", "__rmatmul__", "mm", "bmm", "addmm", "einsum", "linear",
           "tensordot", "inner", "dot", "mv"}
_HOST = {"cpu", "item", "tolist", "numpy", "__float__", "__int__", "__bool__", "__index__",
         "__array__"}


def _is_cuda_spec(value) -> bool:
    import torch

    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True  # `.to(0)` means cuda:0
    if isinstance(value, (str, torch.device)):
        try:
            return torch.device(value).type == "cuda"
        except (RuntimeError, ValueError):
            return False
    return False


def _targets_cpu(args, kwargs) -> bool:
    import torch

    for a in list(args[1:]) + [kwargs.get("device")]:
        if isinstance(a, (str, torch.device)):
            try:
                if torch.device(a).type == "cpu":
                    return True
            except (RuntimeError, ValueError):
                pass
    return False


def _make_tracker(log: CudaLog):
    import torch
    from torch.overrides import TorchFunctionMode

    from labkit.testing_torch import GpuLikeTensor, gpu_like

    def on_gpu(t) -> bool:
        return isinstance(t, torch.Tensor) and (isinstance(t, GpuLikeTensor) or t.is_cuda)

    class _Tracker(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = dict(kwargs or {})
            name = getattr(func, "__name__", "")
            if name in _MATMUL:
                log.events.append("matmul")
            if (name in _HOST or (name == "to" and _targets_cpu(args, kwargs))) \
                    and args and on_gpu(args[0]):
                log.events.append("host")
            redirected = False
            if log.simulated:
                if name == "cuda" and args and isinstance(args[0], torch.Tensor):
                    return gpu_like(args[0])
                if _is_cuda_spec(kwargs.get("device")):
                    kwargs["device"], redirected = "cpu", True
                if name == "to" and any(_is_cuda_spec(a) for a in args[1:]):
                    args = (args[0],) + tuple("cpu" if _is_cuda_spec(a) else a for a in args[1:])
                    redirected = True
            out = func(*args, **kwargs)
            if redirected and isinstance(out, torch.Tensor) and not isinstance(out, GpuLikeTensor):
                out = gpu_like(out)
            return out

    return _Tracker()


@contextlib.contextmanager
def cuda_or_simulated(name: str = "GPU simulada") -> Iterator[CudaLog]:
    """Run the block with a CUDA device — the real one if there is one, a simulated one if not.

    With a real GPU, ``torch.cuda.synchronize`` is wrapped to log its calls and everything runs
    on the GPU. Without one, ``torch.cuda`` pretends a GPU exists (:func:`pretend_cuda`),
    ``torch.cuda.synchronize`` only logs, and tensors created on or moved to ``"cuda"`` stay on the
    CPU as :class:`labkit.testing_torch.GpuLikeTensor` (their ``.numpy()`` fails as on a GPU).
    Yields a :class:`CudaLog` of matrix products, synchronisations and copies to the host, so a
    test can check that a result was waited for before a clock is read.
    """
    from unittest import mock

    import torch

    log = CudaLog(simulated=not torch.cuda.is_available())
    real_sync = torch.cuda.synchronize

    def synchronize(device=None):
        log.events.append("sync")
        if not log.simulated:
            real_sync(device)

    with contextlib.ExitStack() as stack:
        if log.simulated:
            stack.enter_context(pretend_cuda(True, name))
        stack.enter_context(mock.patch.object(torch.cuda, "synchronize", synchronize))
        stack.enter_context(_make_tracker(log))
        yield log


@contextlib.contextmanager
def pretend_tf_gpus(n: int = 2, name: str = "GPU simulada") -> Iterator[list[tuple[str, bool]]]:
    """Make TensorFlow list ``n`` fake GPUs, and record ``set_memory_growth`` calls.

    Patches the eager context behind ``tf.config.list_physical_devices``,
    ``get_visible_devices``, ``experimental.set_memory_growth`` / ``get_memory_growth`` and
    ``experimental.get_device_details``. Yields the list of ``(device_name, enable)`` pairs that
    ``set_memory_growth`` received. Nothing runs on a GPU (only code that configures devices).
    """
    from unittest import mock

    import tensorflow as tf
    from tensorflow.python.eager import context

    ctx = context.context()
    fakes = [tf.config.PhysicalDevice(name=f"/physical_device:GPU:{i}", device_type="GPU")
             for i in range(n)]
    growth: dict[str, bool] = {}
    calls: list[tuple[str, bool]] = []
    real_list, real_visible = ctx.list_physical_devices, ctx.get_visible_devices

    def with_fakes(real):
        def devices(device_type=None):
            if device_type == "GPU":
                return list(fakes)
            found = [d for d in real(device_type) if d.device_type != "GPU"]
            return found + (list(fakes) if device_type is None else [])
        return devices

    def check(device):
        if device not in fakes:
            raise ValueError(f"Unrecognized device: {device!r}")

    def set_memory_growth(device, enable):
        check(device)
        calls.append((device.name, bool(enable)))
        growth[device.name] = bool(enable)

    def get_memory_growth(device):
        check(device)
        return growth.get(device.name)

    def get_device_details(device):
        check(device)
        return {"device_name": f"{name} {fakes.index(device)}", "compute_capability": (9, 0)}

    with contextlib.ExitStack() as stack:
        for attr, value in [("list_physical_devices", with_fakes(real_list)),
                            ("get_visible_devices", with_fakes(real_visible)),
                            ("set_memory_growth", set_memory_growth),
                            ("get_memory_growth", get_memory_growth),
                            ("get_device_details", get_device_details)]:
            stack.enter_context(mock.patch.object(ctx, attr, value))
        yield calls


# --------------------------------------------------------------------------- clocks for tests
class FakeTimer:
    """A simulated clock and workload, to test benchmark code without measuring real time.

    Each ``fn()`` call performs the next duration of ``durations`` (extra calls cost 0 and are
    counted in ``calls``). With ``asynchronous=True`` it only *launches* that work, as a GPU does:
    the clock reaches the end of the pending work when ``synchronize()`` is called, never before.
    Inside ``with timer.patch(globals()):`` the clock replaces ``time.perf_counter`` (also
    ``timeit.default_timer`` and any name of ``namespace`` bound to the real ``perf_counter``;
    with ``wall_clock=True`` also ``time.time``).
    """

    def __init__(self, durations, *, asynchronous: bool = False, start: float = 1000.0):
        self.durations = [float(d) for d in durations]
        self.asynchronous = asynchronous
        self.now = float(start)
        self.busy_until = float(start)
        self.calls = 0
        self.syncs = 0
        self.reads = 0

    def clock(self) -> float:
        self.reads += 1
        return self.now

    def fn(self) -> None:
        d = self.durations[self.calls] if self.calls < len(self.durations) else 0.0
        self.calls += 1
        if self.asynchronous:
            self.busy_until = max(self.busy_until, self.now) + d
        else:
            self.now += d

    def synchronize(self) -> None:
        self.syncs += 1
        self.now = max(self.now, self.busy_until)

    @contextlib.contextmanager
    def patch(self, namespace: dict | None = None, *, wall_clock: bool = False) -> Iterator[FakeTimer]:
        import time
        import timeit

        real = {time.perf_counter: self.clock}
        if wall_clock:
            real[time.time] = self.clock
        targets = [(time, "perf_counter"), (timeit, "default_timer")]
        if wall_clock:
            targets.append((time, "time"))
        saved_attrs = [(obj, attr, getattr(obj, attr)) for obj, attr in targets]
        saved_names = {k: v for k, v in (namespace or {}).items()
                       if callable(v) and any(v is r for r in real)}
        try:
            for obj, attr, value in saved_attrs:
                setattr(obj, attr, real.get(value, self.clock))
            for key, value in saved_names.items():
                namespace[key] = next(fake for r, fake in real.items() if r is value)
            yield self
        finally:
            for obj, attr, value in saved_attrs:
                setattr(obj, attr, value)
            for key, value in saved_names.items():
                namespace[key] = value
