"""Correct answers in other forms: torch.func.grad in float32, x.grad.zero_() instead of None, F.relu, evaluate
returning a list with model.train(False) and torch.inference_mode(), predict_proba with train(False) and
inference_mode, dropout as F.dropout(training=self.training), a digits MLP written as an nn.Module subclass that
returns NumPy float64 losses, another hidden layer for the multiclass model.

expect: full
"""
# %% derivative
def derivative_at(f, x0):
    return float(torch.func.grad(f)(torch.tensor(float(x0))))

# %% gd_1d
def gradient_descent(f, x0, lr, steps):
    x = torch.tensor([float(x0)], dtype=torch.float64, requires_grad=True)
    xs = [float(x0)]
    for _ in range(steps):
        f(x).sum().backward()
        with torch.no_grad():
            x.sub_(lr * x.grad)
        x.grad.zero_()
        xs.append(float(x[0]))
    return xs

# %% simple_net
class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 20)
        self.fc2 = nn.Linear(20, 1)

    def forward(self, x):
        return self.fc2(nn.functional.relu(self.fc1(x)))

# %% train_eval +
def evaluate(model, loader, criterion, device="cpu"):
    model.train(False)
    losses, hits, n = [], 0, 0
    with torch.inference_mode():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            out = model(xb)
            losses.append(criterion(out, yb).item() * xb.shape[0])
            hits += int((out.argmax(1) == yb).sum())
            n += xb.shape[0]
    return [sum(losses) / n, hits / n]

# %% binary_classifier +
class BinaryClassifier(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(input_dim, 64), nn.Linear(64, 32), nn.Linear(32, 1)

    def forward(self, x):
        x = nn.functional.dropout(torch.relu(self.fc1(x)), 0.3, training=self.training)
        x = nn.functional.dropout(torch.relu(self.fc2(x)), 0.3, training=self.training)
        return torch.sigmoid(self.out(x))

# %% multiclass
class MulticlassClassifier(nn.Module):
    def __init__(self, input_dim, num_classes):
        super().__init__()
        self.hidden = nn.Linear(input_dim, 48)
        self.head = nn.Linear(48, num_classes)

    def forward(self, x):
        return self.head(torch.tanh(self.hidden(x)))


def predict_proba(model, X):
    model.train(False)
    with torch.inference_mode():
        return nn.functional.softmax(model(torch.as_tensor(X, dtype=torch.float32)), dim=-1)

# %% digits_mlp
class DigitsMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(64, 128), nn.Linear(128, 64), nn.Linear(64, 10)

    def forward(self, x):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


def build_digits_mlp():
    return DigitsMLP()


def train_digits_mlp(model, X_train, y_train, epochs=10, batch_size=64, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    loader = DataLoader(TensorDataset(torch.from_numpy(np.asarray(X_train, np.float32)),
                                      torch.from_numpy(np.asarray(y_train)).long()),
                        batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        model.train()
        sums = np.zeros(2)
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            sums += [loss.item() * len(xb), len(xb)]
        history.append(np.float64(sums[0] / sums[1]))
    return history
