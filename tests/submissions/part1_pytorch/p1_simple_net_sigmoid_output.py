"""SimpleNet with a sigmoid on the output: a regression squeezed into (0, 1).

expect_fail: simple_net_forward
"""
# %% simple_net
class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 20)
        self.fc2 = nn.Linear(20, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.relu(self.fc1(x))))
