"""The base is frozen with requires_grad=False but follows model.train(): its BatchNorm statistics drift.

expect_fail: transfer_torch_frozen, transfer_unfreeze
"""
# %% transfer
class TransferModel(nn.Module):
    def __init__(self, base, num_classes):
        super().__init__()
        self.base = base
        for param in self.base.parameters():
            param.requires_grad = False
        self.head = nn.Linear(base.out_features, num_classes)

    def forward(self, x):
        return self.head(self.base(x))


def build_transfer_model(base, num_classes):
    return TransferModel(base, num_classes)


def unfreeze_last(model, n_layers):
    with_params = [m for m in model.base.modules() if any(True for _ in m.parameters(recurse=False))]
    if n_layers > 0:
        for module in with_params[-n_layers:]:
            for param in module.parameters():
                param.requires_grad = True


def build_keras_transfer(base, num_classes):
    base.trainable = False
    inputs = keras.Input(shape=(64,))
    features = base(inputs, training=False)
    outputs = layers.Dense(num_classes, activation="softmax")(features)
    return keras.Model(inputs, outputs)
