"""Dropout written as F.dropout(x, 0.3) without training=self.training: it stays on in eval mode.

expect_fail: binary_classifier_architecture
"""
# %% binary_classifier +
class BinaryClassifier(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(input_dim, 64), nn.Linear(64, 32), nn.Linear(32, 1)

    def forward(self, x):
        x = nn.functional.dropout(torch.relu(self.fc1(x)), 0.3)
        x = nn.functional.dropout(torch.relu(self.fc2(x)), 0.3)
        return torch.sigmoid(self.fc3(x))
