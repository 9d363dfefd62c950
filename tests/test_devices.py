"""Unit tests of labkit.devices: the CPU peak estimate and the CUDA / clock stand-ins for tests."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
import torch

from labkit import devices
from labkit.testing_torch import GpuLikeTensor

AVX512 = """processor\t: 0
cpu MHz\t\t: 2000.000
flags\t\t: fpu sse sse2 avx avx2 fma avx512f
processor\t: 1
cpu MHz\t\t: 3000.000
flags\t\t: fpu sse sse2 avx avx2 fma avx512f
"""


def test_importing_devices_loads_no_framework():
    code = "import labkit.devices, sys; print('torch' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("flags, isa, per_cycle", [
    ("avx avx2 fma avx512f", "AVX-512 + FMA", 64),
    ("avx avx2 fma", "AVX2 + FMA", 32),
    ("avx", "AVX", 16),
    ("sse sse2", "SSE", 8),
])
def test_cpu_peak_reads_vector_flags(flags, isa, per_cycle):
    peak = devices.cpu_peak_gflops(f"flags\t: {flags}\ncpu MHz\t: 2500.0\n", cores=4)
    assert (peak.isa, peak.flops_per_cycle) == (isa, per_cycle)
    assert peak.gflops == pytest.approx(4 * 2.5 * per_cycle)


def test_cpu_peak_clock_mean_assumed_and_given():
    assert devices.cpu_peak_gflops(AVX512, cores=2).ghz == pytest.approx(2.5)
    assumed = devices.cpu_peak_gflops("Features\t: fp asimd\n", cores=1)
    assert (assumed.ghz, assumed.clock_source, assumed.isa) == (devices.ASSUMED_GHZ, "supuesta", "NEON/ASIMD")
    given = devices.cpu_peak_gflops(AVX512, cores=1, ghz=1.0)
    assert given.gflops == pytest.approx(64.0) and "estimado" in str(given)


def test_cpu_peak_of_this_machine_is_positive():
    peak = devices.cpu_peak_gflops()
    assert peak.cores >= 1 and peak.gflops > 0


def test_pretend_cuda_patches_and_restores():
    real = torch.cuda.is_available()
    with devices.pretend_cuda(True, name="X"):
        assert torch.cuda.is_available() and torch.cuda.device_count() == 1
        assert torch.cuda.get_device_name(0) == "X" and torch.cuda.get_device_properties(0).name == "X"
    with devices.pretend_cuda(False):
        assert not torch.cuda.is_available() and torch.cuda.device_count() == 0
    assert torch.cuda.is_available() == real


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the simulation (no real GPU)")
def test_cuda_simulation_logs_products_and_waits():
    with devices.cuda_or_simulated() as log:
        assert log.simulated
        a = torch.rand(4, 4, device="cuda")
        b = torch.randn(4, 4).to("cuda")
        c = torch.ones(4, 4).cuda()
        assert all(isinstance(t, GpuLikeTensor) and t.device.type == "cuda" for t in (a, b, c))
        product = a @ b
        assert not log.waited_after_last_matmul()
        torch.cuda.synchronize()
        assert log.waited_after_last_matmul()
        log.clear()
        (a @ b).cpu()
        assert log.events == ["matmul", "host"]
        log.clear()
        float((a @ b).sum())
        assert log.waited_after_last_matmul()
        with pytest.raises(TypeError):
            product.numpy()
    assert not isinstance(torch.rand(2), GpuLikeTensor)


def test_fake_timer_synchronous_and_asynchronous():
    timer = devices.FakeTimer([1.0, 2.0])
    with timer.patch():
        start = time.perf_counter()
        timer.fn()
        assert time.perf_counter() - start == 1.0
    assert time.perf_counter is not timer.clock

    lazy = devices.FakeTimer([4.0], asynchronous=True)
    namespace = {"perf_counter": time.perf_counter, "other": 1}
    with lazy.patch(namespace, wall_clock=True):
        start = namespace["perf_counter"]()
        lazy.fn()
        assert time.time() == start           # launched, not finished
        lazy.synchronize()
        assert time.perf_counter() - start == 4.0
    assert namespace["perf_counter"] is time.perf_counter and time.time is not lazy.clock
    assert (lazy.calls, lazy.syncs) == (1, 1)


def test_pretend_tf_gpus_records_memory_growth():
    tf = pytest.importorskip("tensorflow")
    real = tf.config.list_physical_devices("GPU")
    with devices.pretend_tf_gpus(2) as calls:
        gpus = tf.config.list_physical_devices("GPU")
        assert [g.name for g in gpus] == ["/physical_device:GPU:0", "/physical_device:GPU:1"]
        for gpu in gpus:
            tf.config.experimental.set_memory_growth(gpu, True)
        assert calls == [(g.name, True) for g in gpus]
        assert tf.config.experimental.get_memory_growth(gpus[0]) is True
    assert tf.config.list_physical_devices("GPU") == real
