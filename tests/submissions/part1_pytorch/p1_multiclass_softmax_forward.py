"""Softmax inside forward before CrossEntropyLoss: the softmax is applied twice.

expect_fail: multiclass_logits
"""
# %% multiclass
class MulticlassClassifier(nn.Module):
    def __init__(self, input_dim, num_classes):
        super().__init__()
        self.network = nn.Sequential(nn.Linear(input_dim, 64), nn.ReLU(), nn.Linear(64, num_classes),
                                     nn.Softmax(dim=1))

    def forward(self, x):
        return self.network(x)


def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32))
