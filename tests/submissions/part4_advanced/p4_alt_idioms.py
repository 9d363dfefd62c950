"""Correct answers to every answer cell written with other idioms than the obvious ones: a checkpoint saved as a
list through an open file, `keras.saving` with a custom-object scope built by walking the model, early stopping
that starts from `None` and keeps cloned tensors, `tf.keras` callbacks in another order, a scheduler read with
`get_last_lr` on an Adam optimizer, functional dropout with BatchNorm after the ReLU and an L2 penalty from
`vector_norm`, a SummaryWriter used as a context manager (epoch-major), and a transfer model whose `train`
walks its children. Must keep full marks.

expect: full
"""
# %% checkpoint
def save_checkpoint(path, model, optimizer, epoch, loss):
    if isinstance(loss, torch.Tensor):
        loss = loss.item()
    payload = [int(epoch), float(loss), model.state_dict(), optimizer.state_dict()]
    with open(path, "wb") as f:
        torch.save(payload, f)


def load_checkpoint(path, model, optimizer):
    with open(path, "rb") as f:
        epoch, loss, model_state, optim_state = torch.load(f, map_location="cpu", weights_only=True)
    model.load_state_dict(model_state)
    optimizer.load_state_dict(optim_state)
    return epoch, loss


# %% keras_roundtrip
def save_and_reload(model, path):
    path = str(path)
    own_classes = {}
    pending = [model]
    while pending:
        layer = pending.pop()
        cls = type(layer)
        if not cls.__module__.startswith(("keras", "tensorflow")):
            own_classes[cls.__name__] = cls
        pending.extend(getattr(layer, "layers", None) or [])
    keras.saving.save_model(model, path)
    with keras.saving.custom_object_scope(own_classes):
        return keras.saving.load_model(path)


# %% early_stopping
class EarlyStopping:
    def __init__(self, patience=7, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = None
        self.counter = 0
        self.best_state = None

    def step(self, val_loss, model):
        val_loss = float(val_loss)
        if self.best_loss is None or self.best_loss - val_loss > self.min_delta:
            self.best_loss = val_loss
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            self.counter = 0
            return False
        self.counter += 1
        return self.counter == self.patience

    def restore(self, model):
        if self.best_state is not None:
            model.load_state_dict(self.best_state)


# %% keras_callbacks
def make_callbacks(checkpoint_path, log_dir, csv_path):
    cb = tf.keras.callbacks
    return [
        cb.CSVLogger(filename=str(csv_path)),
        cb.TensorBoard(log_dir=str(log_dir)),
        cb.ModelCheckpoint(filepath=str(checkpoint_path), monitor="val_loss", mode="min",
                           save_best_only=True, verbose=0),
        cb.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=5, verbose=0),
        cb.EarlyStopping(monitor="val_loss", mode="min", patience=10, restore_best_weights=True),
    ]


# %% schedulers
def lr_trace(kind, epochs, lr=0.1):
    dummy = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.Adam([dummy], lr=lr)
    makers = {
        "step": lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.1),
        "cosine": lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs),
    }
    if kind not in makers:
        raise ValueError(f"kind debe ser 'step' o 'cosine' y es {kind!r}.")
    scheduler = makers[kind](optimizer)
    trace = []
    for _ in range(epochs):
        trace.append(float(scheduler.get_last_lr()[0]))
        optimizer.step()
        scheduler.step()
    return trace


# %% regularization
import torch.nn.functional as F


class RegularizedNet(nn.Module):
    def __init__(self, dropout=0.3):
        super().__init__()
        self.p = dropout
        self.fc1 = nn.Linear(64, 256)
        self.bn1 = nn.BatchNorm1d(256)
        self.fc2 = nn.Linear(256, 128)
        self.bn2 = nn.BatchNorm1d(128)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        x = F.dropout(self.bn1(F.relu(self.fc1(x))), self.p, self.training)
        x = F.dropout(self.bn2(F.relu(self.fc2(x))), self.p, self.training)
        return self.out(x)


def l2_penalty(model):
    squares = [torch.linalg.vector_norm(m.weight) ** 2 for m in model.modules() if isinstance(m, nn.Linear)]
    return torch.stack(squares).sum()


# %% tensorboard
from torch.utils.tensorboard import SummaryWriter


def log_scalars(log_dir, history):
    with SummaryWriter(log_dir=str(log_dir)) as writer:
        n_epochs = max((len(values) for values in history.values()), default=0)
        for epoch in range(n_epochs):
            for tag, values in history.items():
                if epoch < len(values):
                    writer.add_scalar(tag, float(values[epoch]), global_step=epoch)


# %% transfer
class TransferModel(nn.Module):
    def __init__(self, base, num_classes):
        super().__init__()
        self.base = base.requires_grad_(False)
        self.head = nn.Sequential(nn.Linear(base.out_features, num_classes))
        self.train()

    def train(self, mode=True):
        self.training = mode
        for name, child in self.named_children():
            child.train(mode and name != "base")
        return self

    def forward(self, x):
        return self.head(self.base(x))


def build_transfer_model(base, num_classes):
    return TransferModel(base, num_classes)


def unfreeze_last(model, n_layers):
    with_params = [m for m in model.base.modules() if next(m.parameters(recurse=False), None) is not None]
    if n_layers > 0:
        for layer in with_params[-n_layers:]:
            layer.requires_grad_(True)
    model.base.eval()


def build_keras_transfer(base, num_classes):
    base.trainable = False
    inputs = tf.keras.Input(shape=(64,))
    features = base(inputs, training=False)
    probs = tf.keras.layers.Dense(num_classes, activation="softmax")(features)
    return tf.keras.Model(inputs=inputs, outputs=probs)
