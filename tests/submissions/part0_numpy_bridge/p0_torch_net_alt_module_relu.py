"""A correct network written with an nn.ReLU module kept as an attribute and torch.relu-free forward.

expect: full
"""
# %% torch_net
class NeuralNetworkPyTorch(nn.Module):
    """La red de NeuralNetworkNumPy en PyTorch: Linear -> ReLU -> Linear (devuelve logits)."""

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.fc1 = nn.Linear(in_features=input_size, out_features=hidden_size)
        self.activation = nn.ReLU()
        self.fc2 = nn.Linear(in_features=hidden_size, out_features=output_size)

    def forward(self, x):
        hidden = self.activation(self.fc1(x))
        logits = self.fc2(hidden)
        return logits
