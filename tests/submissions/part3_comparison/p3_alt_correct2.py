"""Second correct alternative (state_dict transfer, subclassed Keras twin, shuffle before cache, barh plot).

expect: full
"""
# %% twins
from collections import OrderedDict


def build_torch_twin():
    return nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(20, 64)), ("act1", nn.ReLU()), ("drop1", nn.Dropout(p=0.3)),
        ("fc2", nn.Linear(64, 32)), ("act2", nn.ReLU()), ("drop2", nn.Dropout(p=0.3)),
        ("out", nn.Linear(32, 1)), ("sig", nn.Sigmoid()),
    ]))


class KerasTwin(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1 = layers.Dense(64, activation="relu")
        self.p1 = layers.Dropout(0.3)
        self.d2 = layers.Dense(32, activation="relu")
        self.p2 = layers.Dropout(0.3)
        self.d3 = layers.Dense(1, activation="sigmoid")

    def call(self, x, training=False):
        return self.d3(self.p2(self.d2(self.p1(self.d1(x), training=training)), training=training))


def build_keras_twin():
    model = KerasTwin()
    model(np.zeros((1, 20), np.float32))
    return model

# %% weight_transfer
def torch_to_keras(torch_model, keras_model):
    state = torch_model.state_dict()
    weights = [state[k].numpy() for k in state]
    keras_weights = []
    for w in weights:
        keras_weights.append(w.T if w.ndim == 2 else w)
    keras_model.set_weights(keras_weights)


def keras_to_torch(keras_model, torch_model):
    keys = list(torch_model.state_dict())
    new_state = {k: torch.from_numpy(w.T.copy() if w.ndim == 2 else w) for k, w in zip(keys, keras_model.get_weights())}
    torch_model.load_state_dict(new_state)

# %% datasets
class ArrayDataset(Dataset):
    def __init__(self, X, y, transform=None):
        self.X = torch.tensor(np.array(X), dtype=torch.float32)
        self.y = list(y)
        self.transform = transform

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        x = self.X[idx] if self.transform is None else self.transform(self.X[idx])
        return x, self.y[idx]


def make_torch_loader(X, y, batch_size=32, shuffle=True, seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    return DataLoader(ArrayDataset(X, y), batch_size, shuffle=shuffle, generator=g)


def make_tf_dataset(X, y, batch_size=32, shuffle=True, seed=0):
    ds = tf.data.Dataset.from_tensor_slices((np.float32(X), y))
    if shuffle:
        ds = ds.shuffle(len(y), seed=seed)
    return ds.cache().batch(batch_size).prefetch(tf.data.AUTOTUNE)

# %% augment
def augment_digits(images, seed):
    rng = np.random.default_rng(seed)
    out = np.array(images, dtype=np.float32, copy=True)
    shifts = rng.integers(-1, 2, size=(len(out), 2))
    for i in range(len(out)):
        out[i] = np.roll(out[i], tuple(shifts[i]), axis=(0, 1))
    noisy = out + rng.normal(0, 1.0, out.shape)
    return noisy.clip(0, 16)

# %% fair_compare
def compare_frameworks(X_train, y_train, X_test, y_test, epochs=20, batch_size=32, n_runs=3, seed=0):
    out = {}
    for fw in ("pytorch", "tensorflow"):
        times, accs = [], []
        for run in range(n_runs):
            labkit.seed_everything(seed + run)
            if fw == "pytorch":
                model = build_torch_twin()
                opt = torch.optim.Adam(model.parameters(), lr=0.001)
                loader = make_torch_loader(X_train, y_train, batch_size, seed=seed + run)
                t = time.perf_counter()
                model.train()
                for _ in range(epochs):
                    for xb, yb in loader:
                        opt.zero_grad()
                        loss = nn.BCELoss()(model(xb).view(-1), torch.as_tensor(yb).float())
                        loss.backward()
                        opt.step()
                times.append(time.perf_counter() - t)
                model.eval()
                with torch.no_grad():
                    pred = model(torch.tensor(np.asarray(X_test), dtype=torch.float32)).round().view(-1).numpy()
                accs.append((pred == np.asarray(y_test)).mean())
            else:
                model = build_keras_twin()
                model.compile(keras.optimizers.Adam(learning_rate=0.001), keras.losses.BinaryCrossentropy(),
                              metrics=[keras.metrics.BinaryAccuracy()])
                t = time.perf_counter()
                model.fit(np.asarray(X_train), np.asarray(y_train).astype("float32"), batch_size=batch_size,
                          epochs=epochs, verbose=0, shuffle=True)
                times.append(time.perf_counter() - t)
                accs.append(model.evaluate(np.asarray(X_test), np.asarray(y_test), verbose=0, return_dict=True)["binary_accuracy"])
        out[fw] = dict(time_mean=float(np.mean(times)), time_std=float(np.std(times)),
                       acc_mean=float(np.mean(accs)), acc_std=float(np.std(accs)))
    return out


def plot_comparison(results):
    fig, (a, b) = plt.subplots(1, 2)
    names = ["pytorch", "tensorflow"]
    a.barh(names, [results[n]["time_mean"] for n in names], xerr=[results[n]["time_std"] for n in names])
    b.barh(names, [results[n]["acc_mean"] for n in names], xerr=[results[n]["acc_std"] for n in names])
    a.set_xlabel("s")
    b.set_xlabel("accuracy")
    return fig
