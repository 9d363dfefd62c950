"""RegularizedNet ends with nn.Softmax: it returns probabilities instead of logits, and cross_entropy then
applies a second softmax on top of them.

expect_fail: regularized_net_architecture
"""
# %% regularization +
class RegularizedNet(nn.Module):
    def __init__(self, dropout=0.3):
        super().__init__()
        self.network = nn.Sequential(
            nn.Linear(64, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(128, 10), nn.Softmax(dim=1),
        )

    def forward(self, x):
        return self.network(x)
