import torch
import torch.nn.functional as F
from torch.autograd import Variable

from model import Discriminator, Generator


class Solver(object):
    def __init__(self, celebA_loader, config):
        self.data_loader = celebA_loader
        self.c_dim = config.c_dim
        self.lambda_cls = config.lambda_cls
        self.lambda_rec = config.lambda_rec
        self.lambda_gp = config.lambda_gp
        self.g_lr = config.g_lr
        self.d_lr = config.d_lr
        self.beta1 = config.beta1
        self.beta2 = config.beta2
        self.num_epochs = config.num_epochs
        self.d_train_repeat = config.d_train_repeat
        self.build_model(config)

    def build_model(self, config):
        self.G = Generator(config.g_conv_dim, self.c_dim, config.g_repeat_num)
        self.D = Discriminator(config.image_size, config.d_conv_dim, self.c_dim, config.d_repeat_num)
        self.g_optimizer = torch.optim.Adam(self.G.parameters(), self.g_lr, [self.beta1, self.beta2])
        self.d_optimizer = torch.optim.Adam(self.D.parameters(), self.d_lr, [self.beta1, self.beta2])

    def reset_grad(self):
        self.g_optimizer.zero_grad()
        self.d_optimizer.zero_grad()

    def train(self):
        for e in range(self.num_epochs):
            for i, (real_x, real_label) in enumerate(self.data_loader):
                fake_label = real_label[torch.randperm(real_label.size(0))]
                real_c, fake_c = real_label.clone(), fake_label.clone()

                out_src, out_cls = self.D(real_x)
                d_loss_real = -torch.mean(out_src)
                d_loss_cls = F.binary_cross_entropy_with_logits(out_cls, real_label, reduction="sum") / real_x.size(0)
                fake_x = Variable(self.G(real_x, fake_c).data)
                out_src, out_cls = self.D(fake_x)
                d_loss_fake = torch.mean(out_src)
                d_loss = d_loss_real + d_loss_fake + self.lambda_cls * d_loss_cls
                self.reset_grad()
                d_loss.backward()
                self.d_optimizer.step()

                alpha = torch.rand(real_x.size(0), 1, 1, 1).expand_as(real_x)
                interpolated = Variable(alpha * real_x.data + (1 - alpha) * fake_x.data, requires_grad=True)
                out, out_cls = self.D(interpolated)
                grad = torch.autograd.grad(outputs=out, inputs=interpolated, grad_outputs=torch.ones(out.size()),
                                           retain_graph=True, create_graph=True, only_inputs=True)[0]
                grad = grad.view(grad.size(0), -1)
                d_loss_gp = torch.mean((torch.sqrt(torch.sum(grad ** 2, dim=1)) - 1) ** 2)
                d_loss = self.lambda_gp * d_loss_gp
                self.reset_grad()
                d_loss.backward()
                self.d_optimizer.step()

                if (i + 1) % self.d_train_repeat == 0:
                    fake_x = self.G(real_x, fake_c)
                    rec_x = self.G(fake_x, real_c)
                    out_src, out_cls = self.D(fake_x)
                    g_loss_fake = -torch.mean(out_src)
                    g_loss_rec = torch.mean(torch.abs(real_x - rec_x))
                    g_loss_cls = F.binary_cross_entropy_with_logits(out_cls, fake_label, reduction="sum") / fake_x.size(0)
                    g_loss = g_loss_fake + self.lambda_rec * g_loss_rec + self.lambda_cls * g_loss_cls
                    self.reset_grad()
                    g_loss.backward()
                    self.g_optimizer.step()
