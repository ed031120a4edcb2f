from allennlp.training.callbacks.callback import TrainerCallback


@TrainerCallback.register("mixed_precision_backward")
class MixedPrecisionBackwardCallback(TrainerCallback):
    """Performs backpropagation for mixed precision training."""

    def on_backward(self, trainer, batch_outputs, backward_called, **kwargs) -> bool:
        if backward_called:
            raise OnBackwardException()
        trainer._scaler.scale(batch_outputs["loss"]).backward()
        return True


class OnBackwardException(Exception):
    def __init__(self, message=""):
        super().__init__("Backpropagation has already been performed. " + message)
