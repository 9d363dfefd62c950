"""make_callbacks copies the course notes' fixed file names and ignores the paths it receives.

expect_fail: callbacks_config, callbacks_write_files
"""
# %% keras_callbacks
def make_callbacks(checkpoint_path, log_dir, csv_path):
    return [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=5),
        keras.callbacks.ModelCheckpoint(str(WORK / "best_model.keras"), monitor="val_loss", save_best_only=True),
        keras.callbacks.TensorBoard(log_dir=str(WORK / "logs")),
        keras.callbacks.CSVLogger(str(WORK / "training_log.csv")),
    ]
