"""Paraphrase of models.py (muzero-general, early fully connected version)."""
import torch


class FullyConnectedNetwork(torch.nn.Module):
    def __init__(self, input_size, layers_sizes, output_size, activation=torch.nn.Tanh()):
        super().__init__()
        sizes = [input_size] + list(layers_sizes)
        layers = []
        for i in range(len(sizes) - 1):
            layers.extend([torch.nn.Linear(sizes[i], sizes[i + 1]), torch.nn.ReLU()])
        layers.append(torch.nn.Linear(sizes[-1], output_size))
        if activation:
            layers.append(activation)
        self.layers = torch.nn.ModuleList(layers)


class MuZeroNetwork(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.representation_network = FullyConnectedNetwork(4, [], config.encoding_size)
        self.dynamics_encoded_state_network = FullyConnectedNetwork(
            config.encoding_size + 2, [config.hidden_size], config.encoding_size
        )
        self.dynamics_reward_network = FullyConnectedNetwork(config.encoding_size + 2, [config.hidden_size], 1)
        self.prediction_policy_network = FullyConnectedNetwork(config.encoding_size, [], 2, activation=None)
        self.prediction_value_network = FullyConnectedNetwork(config.encoding_size, [], 1, activation=None)
