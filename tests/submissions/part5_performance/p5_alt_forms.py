"""Correct answers in a second style: NumPy scalars and a tuple of times from the benchmark, `synchronize`
passed to the benchmark and `.numpy()` for TensorFlow, a comprehension-and-zip matrix product, a final
benchmark with `statistics` and categorical bars whose error bars come from `ax.errorbar`, a profiler ranking
with `sorted` and the notebook's `profile` import, and `torch.autocast` with the device type split from its
string. Must keep full marks.

expect: full
"""
# %% devices
def get_device(prefer_gpu=True):
    if not prefer_gpu:
        return torch.device("cpu")
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def describe_devices():
    cuda = torch.cuda.is_available()
    gpus = tf.config.list_physical_devices("GPU")
    return dict(torch_cuda=bool(cuda), torch_gpu_name=(torch.cuda.get_device_name() if cuda else None),
                tf_gpus=list(map(lambda d: d.name, gpus)))


def configure_tf_memory_growth():
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        tf.config.experimental.set_memory_growth(gpu, True)
    return len(gpus)


# %% to_device
def train_on_device(model, loader, device, epochs=1, lr=1e-3, loss_fn=None):
    model.to(device)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for epoch in range(epochs):
        for batch in loader:
            xb, yb = (t.to(device) for t in batch)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    return model


# %% benchmark
def benchmark(fn, *, warmup=1, repeats=5, synchronize=None):
    sync = synchronize if synchronize is not None else (lambda: None)
    for _ in range(warmup):
        fn()
    measured = np.empty(repeats)
    for i in range(repeats):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        t1 = time.perf_counter()
        measured[i] = t1 - t0
    return {"times": tuple(measured.tolist()), "median": np.median(measured), "mean": measured.mean(),
            "std": np.std(measured, ddof=0), "min": measured.min()}


# %% gflops
def matmul_gflops(n, framework, device="cpu"):
    sync = None
    if framework == "numpy":
        A = np.random.rand(n, n).astype(np.float32)
        B = np.random.rand(n, n).astype(np.float32)
        fn = lambda: A.dot(B)
    elif framework == "torch":
        A = torch.randn(n, n, device=device)
        B = torch.randn(n, n, device=device)
        fn = lambda: A @ B
        if torch.device(device).type == "cuda":
            sync = torch.cuda.synchronize
    elif framework == "tensorflow":
        with tf.device("/GPU:0" if device == "cuda" else "/CPU:0"):
            A = tf.random.normal((n, n))
            B = tf.random.normal((n, n))
        fn = lambda: tf.matmul(A, B).numpy()
    else:
        raise ValueError(f"Framework desconocido: {framework!r}.")
    median = benchmark(fn, warmup=1, repeats=5, synchronize=sync)["median"]
    return (2 * n ** 3) / (median * 1e9)


# %% loops
def python_matmul(A, B):
    columns = list(zip(*B))
    return [[float(sum(a * b for a, b in zip(row, col))) for col in columns] for row in A]


def vectorized_speedup(n=64):
    A = np.random.rand(n, n)
    B = np.random.rand(n, n)
    A_l, B_l = A.tolist(), B.tolist()
    slow = benchmark(lambda: python_matmul(A_l, B_l), repeats=3)
    fast = benchmark(lambda: np.matmul(A, B), warmup=5, repeats=31)
    return float(slow["median"] / fast["median"])


# %% final_benchmark
import statistics


def benchmark_framework(name, train_fn, n_runs=3):
    times, accs = [], []
    for _ in range(n_runs):
        start = time.perf_counter()
        acc = train_fn()
        end = time.perf_counter()
        times.append(end - start)
        accs.append(float(acc))
    return {"framework": name,
            "avg_time": statistics.fmean(times), "std_time": statistics.pstdev(times),
            "avg_accuracy": statistics.fmean(accs), "std_accuracy": statistics.pstdev(accs)}


def plot_benchmark(results):
    names = [r["framework"] for r in results]
    fig, axes = plt.subplots(ncols=2, figsize=(11, 4))
    panels = [("avg_time", "std_time", "Tiempo (s)"), ("avg_accuracy", "std_accuracy", "Exactitud")]
    for ax, (mean_key, std_key, label) in zip(axes, panels):
        heights = [r[mean_key] for r in results]
        ax.bar(names, heights, color="lightsteelblue", edgecolor="black")
        ax.errorbar(names, heights, yerr=[r[std_key] for r in results], fmt="none", ecolor="black", capsize=5)
        ax.set_ylabel(label)
        ax.set_xlabel("Framework")
        ax.set_title(label + " por framework")
    axes[1].set_ylim(bottom=0, top=1)
    fig.tight_layout()
    return fig


# %% profiling
def top_ops(model, x, k=5):
    gpu = x.device.type == "cuda"
    acts = [ProfilerActivity.CPU, ProfilerActivity.CUDA] if gpu else [ProfilerActivity.CPU]
    with torch.no_grad():
        with profile(activities=acts) as prof:
            model(x)
    attr = "device_time_total" if gpu else "cpu_time_total"
    ranked = sorted(prof.key_averages(), key=lambda e: getattr(e, attr), reverse=True)
    return [e.key for e in ranked][:k]


# %% autocast
def mixed_precision_forward(model, x, device):
    kind = str(device).split(":")[0]
    with torch.autocast(device_type=kind, dtype=torch.bfloat16 if kind == "cpu" else torch.float16):
        out = model(x)
    return out
