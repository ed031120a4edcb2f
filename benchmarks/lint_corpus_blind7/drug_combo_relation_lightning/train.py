import pytorch_lightning as pl

from model import BertForRelation, RelationExtractor

if __name__ == "__main__":
    args = parser.parse_args()
    model = BertForRelation.from_pretrained(args.pretrained_lm, num_rel_labels=2)
    num_train_optimization_steps = len(dm.train_dataloader()) * float(args.num_train_epochs)
    system = RelationExtractor(model, num_train_optimization_steps, lr=args.lr, tokenizer=tokenizer)
    trainer = pl.Trainer(gpus=1, precision=16, max_epochs=args.num_train_epochs)
    trainer.fit(system, datamodule=dm)
