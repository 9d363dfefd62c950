"""A correct alternative: the PyTorch twin owns ONE nn.Dropout(0.3) module and applies it after each hidden layer
(a stateless module used twice is the same network); the hidden test must measure dropout, not count modules.

expect: full
"""
# %% twins +
class TorchTwin(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(20, 64), nn.Linear(64, 32), nn.Linear(32, 1)
        self.dropout = nn.Dropout(0.3)

    def forward(self, x):
        x = self.dropout(torch.relu(self.fc1(x)))
        x = self.dropout(torch.relu(self.fc2(x)))
        return torch.sigmoid(self.out(x))


def build_torch_twin():
    return TorchTwin()
