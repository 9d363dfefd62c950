"""forward ends with a softmax, as the NumPy network did: CrossEntropyLoss would apply it twice.

expect_fail: torch_net_forward
"""
# %% torch_net
class NeuralNetworkPyTorch(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.fc2 = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        return F.softmax(self.fc2(F.relu(self.fc1(x))), dim=1)
