"""The NumPy network of the NumPy -> PyTorch bridge (part0), as the course guide gives it.

This is the trusted reference used by part0's tests. The notebook shows the same code in a
read-only cell (``tests/test_labkit.py`` checks the two stay identical).
"""
import numpy as np


class NeuralNetworkNumPy:
    """Red de dos capas (ReLU + softmax) escrita a mano con NumPy."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int):
        # inicialización He: varianza 2 / fan_in
        self.W1 = np.random.randn(input_size, hidden_size) * np.sqrt(2.0 / input_size)
        self.b1 = np.zeros((1, hidden_size))
        self.W2 = np.random.randn(hidden_size, output_size) * np.sqrt(2.0 / hidden_size)
        self.b2 = np.zeros((1, output_size))
        self.cache = {}  # valores intermedios que necesita backward

    def relu(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(0, z)

    def relu_derivative(self, z: np.ndarray) -> np.ndarray:
        return (z > 0).astype(float)

    def softmax(self, z: np.ndarray) -> np.ndarray:
        exp_z = np.exp(z - np.max(z, axis=1, keepdims=True))  # estabilidad numérica
        return exp_z / np.sum(exp_z, axis=1, keepdims=True)

    def forward(self, X: np.ndarray) -> np.ndarray:
        self.cache["X"] = X
        self.cache["Z1"] = X @ self.W1 + self.b1
        self.cache["A1"] = self.relu(self.cache["Z1"])
        self.cache["Z2"] = self.cache["A1"] @ self.W2 + self.b2
        self.cache["A2"] = self.softmax(self.cache["Z2"])
        return self.cache["A2"]

    def cross_entropy_loss(self, y_pred: np.ndarray, y_onehot: np.ndarray) -> float:
        m = y_onehot.shape[0]
        log_probs = -np.log(y_pred[range(m), y_onehot.argmax(axis=1)] + 1e-8)  # evita log(0)
        return float(np.mean(log_probs))

    def backward(self, y_onehot: np.ndarray) -> dict:
        m = y_onehot.shape[0]
        grads = {}
        dZ2 = self.cache["A2"] - y_onehot  # softmax + entropía cruzada, simplificado
        grads["dW2"] = (1 / m) * self.cache["A1"].T @ dZ2
        grads["db2"] = (1 / m) * np.sum(dZ2, axis=0, keepdims=True)
        dA1 = dZ2 @ self.W2.T
        dZ1 = dA1 * self.relu_derivative(self.cache["Z1"])
        grads["dW1"] = (1 / m) * self.cache["X"].T @ dZ1
        grads["db1"] = (1 / m) * np.sum(dZ1, axis=0, keepdims=True)
        return grads

    def update_params(self, grads: dict, learning_rate: float) -> None:
        self.W1 -= learning_rate * grads["dW1"]
        self.b1 -= learning_rate * grads["db1"]
        self.W2 -= learning_rate * grads["dW2"]
        self.b2 -= learning_rate * grads["db2"]

    def train_step(self, X: np.ndarray, y_onehot: np.ndarray, learning_rate: float) -> float:
        y_pred = self.forward(X)
        loss = self.cross_entropy_loss(y_pred, y_onehot)
        grads = self.backward(y_onehot)
        self.update_params(grads, learning_rate)
        return loss

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.argmax(self.forward(X), axis=1)
