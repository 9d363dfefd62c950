"""Correct answers to every answer cell written with other idioms than the obvious ones: the GPU name from
`get_device_properties`, TF GPUs from the `experimental` alias, batches moved with `.to(device=...,
non_blocking=True)`, a benchmark that imports `perf_counter` by name and computes its statistics with the
`statistics` module, a matmul whose timed function synchronises CUDA itself, an i-k-j triple loop, a final
benchmark that chains clock readings and draws on a pyplot-free `Figure` with numeric bar positions, `heapq`
for the profiler ranking with `x.is_cuda`, and `torch.amp.autocast` under `no_grad`. Must keep full marks.

expect: full
"""
# %% devices
def get_device(prefer_gpu=True):
    name = "cuda" if (prefer_gpu and torch.cuda.is_available()) else "cpu"
    return torch.device(name)


def describe_devices():
    has_cuda = torch.cuda.is_available()
    return {
        "torch_cuda": bool(has_cuda),
        "torch_gpu_name": torch.cuda.get_device_properties(0).name if has_cuda else None,
        "tf_gpus": [str(d.name) for d in tf.config.experimental.list_physical_devices("GPU")],
    }


def configure_tf_memory_growth():
    count = 0
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
        count += 1
    return count


# %% to_device
def train_on_device(model, loader, device, epochs=1, lr=1e-3, loss_fn=None):
    model = model.to(device=device)
    criterion = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            xb = xb.to(device=device, non_blocking=True)
            yb = yb.to(device=device, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
    return model


# %% benchmark
import statistics
from time import perf_counter


def benchmark(fn, *, warmup=1, repeats=5, synchronize=None):
    def wait():
        if synchronize is not None:
            synchronize()

    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        wait()
        start = perf_counter()
        fn()
        wait()
        times.append(perf_counter() - start)
    return {"times": times, "median": statistics.median(times), "mean": statistics.fmean(times),
            "std": statistics.pstdev(times), "min": min(times)}


# %% gflops
def matmul_gflops(n, framework, device="cpu"):
    if framework == "numpy":
        rng = np.random.default_rng(0)
        A = rng.random((n, n), dtype=np.float32)
        B = rng.random((n, n), dtype=np.float32)
        fn = lambda: np.matmul(A, B)
    elif framework == "torch":
        dev = torch.device(device)
        A = torch.rand((n, n), dtype=torch.float32, device=dev)
        B = torch.rand((n, n), dtype=torch.float32, device=dev)

        def fn():
            C = torch.mm(A, B)
            if dev.type == "cuda":
                torch.cuda.synchronize()
            return C
    elif framework == "tensorflow":
        where = "/GPU:0" if device == "cuda" else "/CPU:0"
        with tf.device(where):
            A = tf.random.uniform((n, n), dtype=tf.float32)
            B = tf.random.uniform((n, n), dtype=tf.float32)

        def fn():
            with tf.device(where):
                return np.asarray(tf.linalg.matmul(A, B))
    else:
        raise ValueError(f"framework debe ser numpy, torch o tensorflow y es {framework!r}.")
    stats = benchmark(fn, warmup=2, repeats=7)
    return 2 * n ** 3 / stats["median"] / 1e9


# %% loops
def python_matmul(A, B):
    n, m, p = len(A), len(B), len(B[0])
    C = [[0.0] * p for _ in range(n)]
    for i in range(n):
        row_c = C[i]
        for k in range(m):
            a = A[i][k]
            row_b = B[k]
            for j in range(p):
                row_c[j] += a * row_b[j]
    return C


def vectorized_speedup(n=64):
    rng = np.random.default_rng(1)
    A = rng.random((n, n), dtype=np.float32)
    B = rng.random((n, n), dtype=np.float32)
    A_list, B_list = A.tolist(), B.tolist()
    t_python = benchmark(lambda: python_matmul(A_list, B_list), warmup=1, repeats=3)["median"]
    t_numpy = benchmark(lambda: A @ B, warmup=3, repeats=25)["median"]
    return t_python / t_numpy


# %% final_benchmark
from matplotlib.figure import Figure


def benchmark_framework(name, train_fn, n_runs=3):
    stamps = [time.perf_counter()]
    accuracies = []
    for _ in range(n_runs):
        accuracies.append(float(train_fn()))
        stamps.append(time.perf_counter())
    times = np.diff(np.array(stamps))
    return {"framework": name, "avg_time": float(times.mean()), "std_time": float(times.std()),
            "avg_accuracy": float(np.mean(accuracies)), "std_accuracy": float(np.std(accuracies))}


def plot_benchmark(results):
    names = [r["framework"] for r in results]
    positions = np.arange(len(results))
    fig = Figure(figsize=(10, 4))
    ax_time, ax_acc = fig.subplots(1, 2)
    ax_time.bar(positions, [r["avg_time"] for r in results], yerr=[r["std_time"] for r in results],
                capsize=4, tick_label=names, color="tab:blue")
    ax_time.set_xlabel("framework")
    ax_time.set_ylabel("tiempo medio de entrenamiento (s)")
    ax_time.set_title("Tiempo")
    ax_acc.bar(positions, [r["avg_accuracy"] for r in results], yerr=[r["std_accuracy"] for r in results],
               capsize=4, tick_label=names, color="tab:green")
    ax_acc.set_ylim(0, 1)
    ax_acc.set_xlabel("framework")
    ax_acc.set_ylabel("exactitud media en test")
    ax_acc.set_title("Exactitud")
    fig.tight_layout()
    return fig


# %% profiling
import heapq
from operator import attrgetter


def top_ops(model, x, k=5):
    on_gpu = x.is_cuda
    activities = [torch.profiler.ProfilerActivity.CPU]
    if on_gpu:
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    with torch.profiler.profile(activities=activities) as prof:
        with torch.no_grad():
            model(x)
    cost = attrgetter("device_time_total" if on_gpu else "cpu_time_total")
    return [event.key for event in heapq.nlargest(k, prof.key_averages(), key=cost)]


# %% autocast
def mixed_precision_forward(model, x, device):
    device_type = torch.device(device).type
    reduced = torch.float16 if device_type == "cuda" else torch.bfloat16
    with torch.no_grad(), torch.amp.autocast(device_type=device_type, dtype=reduced):
        return model(x)
