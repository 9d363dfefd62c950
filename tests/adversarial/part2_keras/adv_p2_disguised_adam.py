"""Compiles with SGD disguised as Adam: an SGD subclass whose `__class__` says Adam, so that
`isinstance(model.optimizer, keras.optimizers.Adam)` (and check_type on it) believes it.

attack: fake-result
twin: twin_p2_sequential_sgd
"""
# %% sequential
class _LooksLikeAdam(keras.optimizers.SGD):
    @property
    def __class__(self):
        return keras.optimizers.Adam


def build_sequential(input_dim=20):
    model = keras.Sequential([
        keras.Input(shape=(input_dim,)),
        layers.Dense(64, activation="relu"), layers.Dropout(0.3),
        layers.Dense(32, activation="relu"), layers.Dropout(0.3),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=_LooksLikeAdam(), loss="binary_crossentropy", metrics=["accuracy"])
    return model
