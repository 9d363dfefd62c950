"""The base's parameters are frozen, but model.train() puts its BatchNorm back in training mode: the statistics drift.

expect_fail: transfer_torch_frozen
"""
# %% transfer +
class NaiveTransfer(nn.Module):
    def __init__(self, base, num_classes):
        super().__init__()
        self.base = base
        for param in self.base.parameters():
            param.requires_grad = False
        self.base.eval()
        self.head = nn.Linear(base.out_features, num_classes)

    def forward(self, x):
        return self.head(self.base(x))


def build_transfer_model(base, num_classes):
    return NaiveTransfer(base, num_classes)
