"""A correct alternative written differently everywhere (subclassed/functional twins, shape-matched transfer, other pipelines).

expect: full
"""
# %% twins
import torch.nn.functional as F


class TorchTwin(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(32, 1)      # registered first on purpose
        self.hidden2 = nn.Linear(64, 32)
        self.hidden1 = nn.Linear(20, 64)

    def forward(self, x):
        x = F.dropout(F.relu(self.hidden1(x)), 0.3, training=self.training)
        x = F.dropout(F.relu(self.hidden2(x)), 0.3, training=self.training)
        return torch.sigmoid(self.head(x))


def build_torch_twin():
    return TorchTwin()


def build_keras_twin():
    inputs = keras.Input(shape=(20,))
    h = layers.Activation("relu")(layers.Dense(64)(inputs))
    h = layers.Dropout(0.3)(h)
    h = layers.Activation("relu")(layers.Dense(32)(h))
    h = layers.Dropout(0.3)(h)
    outputs = layers.Activation("sigmoid")(layers.Dense(1)(h))
    return keras.Model(inputs, outputs)

# %% weight_transfer
def _linear_chain(torch_model):
    linears = {m.in_features: m for m in torch_model.modules() if isinstance(m, nn.Linear)}
    chain, size = [], 20
    while size in linears:
        chain.append(linears[size])
        size = linears[size].out_features
    return chain


def _dense_chain(keras_model):
    return [l for l in keras_model.layers if isinstance(l, layers.Dense)]


def torch_to_keras(torch_model, keras_model):
    for linear, dense in zip(_linear_chain(torch_model), _dense_chain(keras_model)):
        dense.kernel.assign(np.ascontiguousarray(linear.weight.detach().numpy().transpose()))
        dense.bias.assign(linear.bias.detach().numpy())


def keras_to_torch(keras_model, torch_model):
    for linear, dense in zip(_linear_chain(torch_model), _dense_chain(keras_model)):
        linear.weight.data = torch.tensor(dense.kernel.numpy()).t().contiguous()
        linear.bias.data = torch.tensor(dense.bias.numpy())

# %% datasets
from torch.utils.data import RandomSampler, SequentialSampler


class ArrayDataset(Dataset):
    def __init__(self, X, y, transform=None):
        self.X = np.asarray(X, dtype=np.float32)
        self.y = np.asarray(y)
        self.transform = transform

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, idx):
        x = self.X[idx]
        return (x if self.transform is None else self.transform(x)), self.y[idx]


def make_torch_loader(X, y, batch_size=32, shuffle=True, seed=0):
    dataset = ArrayDataset(X, y)
    sampler = (RandomSampler(dataset, generator=torch.Generator().manual_seed(seed)) if shuffle
               else SequentialSampler(dataset))
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler)


def make_tf_dataset(X, y, batch_size=32, shuffle=True, seed=0):
    dataset = tf.data.Dataset.from_tensor_slices((tf.cast(X, tf.float32), y))
    if shuffle:
        dataset = dataset.shuffle(10_000, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).cache().prefetch(buffer_size=tf.data.experimental.AUTOTUNE)

# %% augment
import scipy.ndimage


def augment_digits(images, seed):
    rng = np.random.default_rng(seed)
    images = np.asarray(images, dtype=np.float64)
    out = np.stack([scipy.ndimage.shift(img, rng.choice([-1, 0, 1], size=2), order=0, mode="constant")
                    for img in images])
    return np.clip(out + rng.normal(scale=0.3, size=out.shape), 0, 16)

# %% fair_compare
def compare_frameworks(X_train, y_train, X_test, y_test, epochs=20, batch_size=32, n_runs=3, seed=0):
    from torch.utils.data import TensorDataset
    stats = {"pytorch": ([], []), "tensorflow": ([], [])}
    Xt, yt = np.asarray(X_test, np.float32), np.asarray(y_test)
    for run in range(n_runs):
        torch.manual_seed(seed + run)
        tf.random.set_seed(seed + run)
        net = build_torch_twin()
        opt = torch.optim.Adam(net.parameters())
        data = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train, dtype=torch.float32))
        loader = DataLoader(data, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(run))
        t0 = time.perf_counter()
        net.train()
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                nn.BCELoss()(net(xb).squeeze(1), yb).backward()
                opt.step()
        stats["pytorch"][0].append(time.perf_counter() - t0)
        net.eval()
        with torch.no_grad():
            stats["pytorch"][1].append(float(((net(torch.from_numpy(Xt)).squeeze(1) > 0.5).numpy() == yt).mean()))

        model = build_keras_twin()
        optimizer = keras.optimizers.Adam()
        bce = keras.losses.BinaryCrossentropy()

        @tf.function
        def step(xb, yb):
            with tf.GradientTape() as tape:
                loss = bce(yb, model(xb, training=True))
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))

        ds = make_tf_dataset(X_train, np.asarray(y_train, np.float32).reshape(-1, 1), batch_size, seed=seed + run)
        t0 = time.perf_counter()
        for _ in range(epochs):
            for xb, yb in ds:
                step(xb, yb)
        stats["tensorflow"][0].append(time.perf_counter() - t0)
        p = model.predict(Xt, verbose=0).ravel()
        stats["tensorflow"][1].append(float(((p > 0.5) == yt).mean()))
    return {k: {"time_mean": np.mean(t), "time_std": np.std(t, ddof=1), "acc_mean": np.mean(a), "acc_std": np.std(a, ddof=1)}
            for k, (t, a) in stats.items()}


def plot_comparison(results):
    fig, axes = plt.subplots(2, 1, figsize=(5, 6))
    for ax, key in zip(axes, ("time", "acc")):
        names = list(results)
        means = [results[n][f"{key}_mean"] for n in names]
        stds = [results[n][f"{key}_std"] for n in names]
        ax.bar(range(len(names)), means, tick_label=names)
        ax.errorbar(range(len(names)), means, yerr=stds, fmt="none", ecolor="k", capsize=5)
    return fig
