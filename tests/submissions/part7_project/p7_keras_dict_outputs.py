"""Keras 3's own way to name the outputs: keras.Model(inputs, {"digit": ..., "parity": ...}) with unnamed output
layers (the dict keys are the names; predict returns a dict), residual sums written as x + h, loss objects and
SparseCategoricalAccuracy metrics. With it, other correct forms: seeds set library by library, the YAML read with
yaml.load(Loader=SafeLoader), ResidualBlock with F as an nn.Sequential, MultiTaskNet returning a list,
multitask_loss as log_softmax + nll_loss, and a pipeline that returns model_path as a pathlib.Path.

expect: full
"""
# %% seeds
def set_seeds(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    tf.random.set_seed(seed)
    keras.utils.set_random_seed(seed)

# %% config +
def load_config(path):
    with open(path, encoding="utf-8") as fh:
        config = yaml.load(fh, Loader=yaml.SafeLoader)
    if not isinstance(config, dict):
        raise ValueError(f"{path}: el fichero está vacío o no es un diccionario")
    missing = [s for s in REQUIRED_KEYS if s not in config]
    if missing:
        raise ValueError(f"Faltan secciones en {path}: {missing}")
    for section, keys in REQUIRED_KEYS.items():
        absent = [k for k in keys if k not in config[section]]
        if absent:
            raise ValueError(f"En la sección '{section}' faltan las claves {absent}")
    return config

# %% torch_multitask
class ResidualBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.F = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))

    def forward(self, x):
        return F.relu(x + self.F(x))


class MultiTaskNet(nn.Module):
    def __init__(self, width=128, num_blocks=2):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(64, width), nn.ReLU(), *[ResidualBlock(width) for _ in range(num_blocks)])
        self.heads = nn.ModuleList([nn.Linear(width, 10), nn.Linear(width, 2)])

    def forward(self, x):
        h = self.body(x)
        return [head(h) for head in self.heads]


def multitask_loss(outputs, targets, weights=(1.0, 0.5)):
    return sum(w * F.nll_loss(F.log_softmax(o, dim=1), t) for w, o, t in zip(weights, outputs, targets))

# %% keras_multitask
def build_keras_multitask(width=128, num_blocks=2):
    inputs = keras.Input(shape=(64,))
    x = layers.Dense(width, activation="relu")(inputs)
    for _ in range(num_blocks):
        h = layers.Dense(width)(layers.Dense(width, activation="relu")(x))
        x = keras.ops.relu(x + h)
    outputs = {"digit": layers.Dense(10, activation="softmax")(x),
               "parity": layers.Dense(2, activation="softmax")(x)}
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam",
                  loss={"digit": keras.losses.SparseCategoricalCrossentropy(),
                        "parity": keras.losses.SparseCategoricalCrossentropy()},
                  loss_weights={"digit": 1.0, "parity": 0.5},
                  metrics={"digit": [keras.metrics.SparseCategoricalAccuracy()],
                           "parity": [keras.metrics.SparseCategoricalAccuracy()]})
    return model

# %% pipeline +
_reference_run_pipeline = run_pipeline


def run_pipeline(config, framework, output_dir):
    result = _reference_run_pipeline(config, framework, output_dir)
    return {**result, "model_path": Path(result["model_path"])}
