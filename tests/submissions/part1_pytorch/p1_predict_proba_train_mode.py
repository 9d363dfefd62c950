"""predict_proba without model.eval(): dropout is still active, two calls disagree.

expect_fail: multiclass_predict_proba, multiclass_predict_proba_no_grad
"""
# %% multiclass
class MulticlassClassifier(nn.Module):
    def __init__(self, input_dim, num_classes):
        super().__init__()
        self.network = nn.Sequential(nn.Linear(input_dim, 64), nn.ReLU(), nn.Dropout(0.2),
                                     nn.Linear(64, num_classes))

    def forward(self, x):
        return self.network(x)


def predict_proba(model, X):
    with torch.no_grad():
        return torch.softmax(model(torch.as_tensor(X, dtype=torch.float32)), dim=1)
