"""RegularizedNet has Dropout but no BatchNorm1d.

expect_fail: regularized_net_architecture
"""
# %% regularization +
class RegularizedNet(nn.Module):
    def __init__(self, dropout=0.3):
        super().__init__()
        self.network = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(dropout),
                                     nn.Linear(256, 128), nn.ReLU(), nn.Dropout(dropout), nn.Linear(128, 10))

    def forward(self, x):
        return self.network(x)
