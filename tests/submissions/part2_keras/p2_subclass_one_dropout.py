"""Only one Dropout layer (after the first Dense): same parameter count, deterministic in inference and
random in training, so the old checks passed; the second Dropout(0.3) is missing.

expect_fail: subclassing_dropout
"""
# %% subclassing
class CustomModel(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = layers.Dense(64, activation="relu")
        self.dropout = layers.Dropout(0.3)
        self.dense2 = layers.Dense(32, activation="relu")
        self.output_layer = layers.Dense(1, activation="sigmoid")

    def call(self, inputs, training=False):
        x = self.dropout(self.dense1(inputs), training=training)
        return self.output_layer(self.dense2(x))
