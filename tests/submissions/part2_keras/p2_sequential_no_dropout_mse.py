"""Sequential model without the Dropout layers, compiled with mean squared error.

expect_fail: sequential_layers, sequential_compiled
"""
# %% sequential
def build_sequential(input_dim=20):
    model = keras.Sequential([keras.Input(shape=(input_dim,)), layers.Dense(64, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
