"""A subclassed Keras twin calls its Dropout layers with training=True: dropout is on at inference too.

expect_fail: twins_dropout_modes, transfer_torch_to_keras, transfer_keras_to_torch
"""
# %% twins +
class KerasTwin(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = layers.Dense(64, activation="relu")
        self.drop1 = layers.Dropout(0.3)
        self.dense2 = layers.Dense(32, activation="relu")
        self.drop2 = layers.Dropout(0.3)
        self.out = layers.Dense(1, activation="sigmoid")

    def call(self, x, training=None):
        x = self.drop1(self.dense1(x), training=True)
        x = self.drop2(self.dense2(x), training=True)
        return self.out(x)


def build_keras_twin():
    model = KerasTwin()
    model(np.zeros((1, 20), np.float32))
    return model
