"""No Sigmoid at the end: BCELoss receives raw scores outside [0, 1].

expect_fail: binary_classifier_architecture, binary_classifier_accuracy
"""
# %% binary_classifier
class BinaryClassifier(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        self.network = nn.Sequential(nn.Linear(input_dim, 64), nn.ReLU(), nn.Dropout(0.3),
                                     nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 1))

    def forward(self, x):
        return self.network(x)


def train_binary_classifier(X, y, epochs=100, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    X_t = torch.as_tensor(X, dtype=torch.float32)
    y_t = torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
    model = BinaryClassifier(X_t.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.BCELoss()(model(X_t), y_t)
        loss.backward()
        optimizer.step()
    return model
