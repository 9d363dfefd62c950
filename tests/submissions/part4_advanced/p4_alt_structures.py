"""Correct answers in a second style for the trickier cells: a checkpoint dict with other keys and a `Path`, a
`.keras` round trip with `model.save` and `custom_objects` loaded without compiling, a scheduler read from
`param_groups` of SGD over an `nn.Parameter`, an `nn.Sequential` body (Linear → BatchNorm1d → ReLU → Dropout)
with a generator-sum L2 penalty, a writer closed by hand (tag-major), and a transfer model with an `nn.Linear`
head, a `train` that calls `super()` and a Keras head `Dense` + `Activation("softmax")`. Must keep full marks.

expect: full
"""
# %% checkpoint
def save_checkpoint(path, model, optimizer, epoch, loss):
    torch.save({"ep": int(epoch), "last_loss": torch.as_tensor(loss).item(),
                "weights": model.state_dict(), "optim": optimizer.state_dict()}, Path(path))


def load_checkpoint(path, model, optimizer):
    state = torch.load(Path(path), weights_only=True)
    model.load_state_dict(state["weights"])
    optimizer.load_state_dict(state["optim"])
    return int(state["ep"]), float(state["last_loss"])


# %% keras_roundtrip
def save_and_reload(model, path):
    model.save(path)
    custom = {layer.__class__.__name__: layer.__class__ for layer in model.layers}
    return keras.models.load_model(path, custom_objects=custom, compile=False)


# %% schedulers
def lr_trace(kind, epochs, lr=0.1):
    weight = nn.Parameter(torch.zeros(()))
    optimizer = torch.optim.SGD([weight], lr=lr)
    if kind == "step":
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10, gamma=0.1)
    elif kind == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
    else:
        raise ValueError(f"Scheduler desconocido: {kind!r} (usa 'step' o 'cosine').")
    rates = []
    while len(rates) < epochs:
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


# %% regularization
class RegularizedNet(nn.Module):
    def __init__(self, dropout=0.3):
        super().__init__()
        blocks = []
        for n_in, n_out in ((64, 256), (256, 128)):
            blocks += [nn.Linear(n_in, n_out), nn.BatchNorm1d(n_out), nn.ReLU(), nn.Dropout(dropout)]
        self.layers = nn.Sequential(*blocks, nn.Linear(128, 10))

    def forward(self, x):
        return self.layers(x)


def l2_penalty(model):
    return sum((m.weight * m.weight).sum() for m in model.modules() if isinstance(m, nn.Linear))


# %% tensorboard
from torch.utils.tensorboard import SummaryWriter


def log_scalars(log_dir, history):
    writer = SummaryWriter(str(log_dir))
    try:
        for tag in history:
            for epoch, value in enumerate(history[tag]):
                writer.add_scalar(tag, value, epoch)
        writer.flush()
    finally:
        writer.close()


# %% transfer
class TransferModel(nn.Module):
    def __init__(self, base, num_classes):
        super().__init__()
        for p in base.parameters():
            p.requires_grad = False
        self.base = base
        self.head = nn.Linear(base.out_features, num_classes)
        self.base.eval()

    def train(self, mode=True):
        super().train(mode)
        self.base.eval()
        return self

    def forward(self, x):
        features = self.base(x)
        return self.head(features)


def build_transfer_model(base, num_classes):
    return TransferModel(base, num_classes)


def unfreeze_last(model, n_layers):
    parameterised = [m for m in model.base.modules() if len(list(m.parameters(recurse=False))) > 0]
    for layer in reversed(parameterised):
        if n_layers <= 0:
            break
        for p in layer.parameters():
            p.requires_grad = True
        n_layers -= 1
    model.base.train(False)


def build_keras_transfer(base, num_classes):
    base.trainable = False
    x_in = keras.Input((64,))
    h = base(x_in, training=False)
    logits = layers.Dense(num_classes)(h)
    return keras.Model(x_in, layers.Activation("softmax")(logits))
