"""Honest wrong twin of adv_p2_disguised_adam: the right network compiled with SGD instead of Adam.

expect_fail: sequential_compiled
"""
# %% sequential
def build_sequential(input_dim=20):
    model = keras.Sequential([
        keras.Input(shape=(input_dim,)),
        layers.Dense(64, activation="relu"), layers.Dropout(0.3),
        layers.Dense(32, activation="relu"), layers.Dropout(0.3),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(), loss="binary_crossentropy", metrics=["accuracy"])
    return model
