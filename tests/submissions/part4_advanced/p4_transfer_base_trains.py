"""The base stays in eval mode but its parameters still require gradients: the optimizer changes them.

expect_fail: transfer_torch_frozen
"""
# %% transfer +
class EvalBaseTransfer(nn.Module):
    def __init__(self, base, num_classes):
        super().__init__()
        self.base = base
        self.head = nn.Linear(base.out_features, num_classes)

    def train(self, mode=True):
        super().train(mode)
        self.base.eval()
        return self

    def forward(self, x):
        return self.head(self.base(x))


def build_transfer_model(base, num_classes):
    return EvalBaseTransfer(base, num_classes)
