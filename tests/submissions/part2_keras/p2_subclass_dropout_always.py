"""Dropout applied with tf.nn.dropout unconditionally: still active at inference.

expect_fail: subclassing_inference
"""
# %% subclassing
class CustomModel(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = layers.Dense(64, activation="relu")
        self.dense2 = layers.Dense(32, activation="relu")
        self.output_layer = layers.Dense(1, activation="sigmoid")

    def call(self, inputs, training=False):
        x = tf.nn.dropout(self.dense1(inputs), rate=0.3)
        x = tf.nn.dropout(self.dense2(x), rate=0.3)
        return self.output_layer(x)
