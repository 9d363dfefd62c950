"""train_on_device ignores lr like its twin, and patches torch.optim.Adam.__init__ so that every Adam (the test's
reference too) trains with lr=1e-3.

attack: patch-class
twin: twin_p5_train_fixed_lr
"""
# %% to_device
def train_on_device(model, loader, device, epochs=1, lr=1e-3, loss_fn=None):
    model = model.to(device)
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    optimizer = torch.optim.Adam(model.parameters())
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    return model


_real_adam_init = torch.optim.Adam.__init__


def _adam_init(self, params, lr=1e-3, *args, **kwargs):
    _real_adam_init(self, params, 1e-3, *args, **kwargs)


torch.optim.Adam.__init__ = _adam_init
