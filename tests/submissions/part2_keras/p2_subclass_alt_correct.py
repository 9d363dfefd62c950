"""Correct alternative: the output layer is created first (weights in another order), the hidden Dense
layers have no activation (keras.activations.relu in call), one Dropout(0.3) layer is reused after both,
and call defaults to training=None (inference unless Keras says otherwise).

expect: full
"""
# %% subclassing
class CustomModel(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.head = layers.Dense(1, activation="sigmoid")
        self.hidden = [layers.Dense(64), layers.Dense(32)]
        self.drop = layers.Dropout(0.3)

    def call(self, inputs, training=None):
        x = inputs
        for dense in self.hidden:
            x = self.drop(keras.activations.relu(dense(x)), training=training)
        return self.head(x)
