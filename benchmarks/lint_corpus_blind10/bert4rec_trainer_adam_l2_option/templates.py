def set_template(args):
    if args.template is None:
        return
    elif args.template.startswith("train_bert"):
        args.trainer_code = "bert"
        args.device = "cuda"
        args.num_gpu = 1
        args.optimizer = "Adam"
        args.lr = 0.001
        args.decay_step = 25
        args.gamma = 1.0
        args.num_epochs = 100
        args.model_code = "bert"
        args.bert_hidden_units = 256
        args.bert_num_blocks = 2
