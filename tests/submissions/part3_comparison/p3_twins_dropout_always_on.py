"""The PyTorch twin calls F.dropout without training=self.training: dropout stays on after model.eval().

expect_fail: twins_dropout_modes, transfer_torch_to_keras, transfer_keras_to_torch
"""
# %% twins +
import torch.nn.functional as F


class TorchTwin(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 64)
        self.fc2 = nn.Linear(64, 32)
        self.fc3 = nn.Linear(32, 1)

    def forward(self, x):
        x = F.dropout(torch.relu(self.fc1(x)), 0.3)
        x = F.dropout(torch.relu(self.fc2(x)), 0.3)
        return torch.sigmoid(self.fc3(x))


def build_torch_twin():
    return TorchTwin()
