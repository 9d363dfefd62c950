"""The PyTorch twin uses F.dropout (no Dropout modules) with p=0.5 instead of 0.3: deterministic in eval mode, random
in train mode, but at the wrong rate.

expect_fail: twins_dropout_modes
"""
# %% twins +
import torch.nn.functional as F


class TorchTwin(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(20, 64), nn.Linear(64, 32), nn.Linear(32, 1)

    def forward(self, x):
        x = F.dropout(F.relu(self.fc1(x)), p=0.5, training=self.training)
        x = F.dropout(F.relu(self.fc2(x)), p=0.5, training=self.training)
        return torch.sigmoid(self.fc3(x))


def build_torch_twin():
    return TorchTwin()
