"""The sentence judge: how likely a reviewer is to accept a sentence as this unit's own
evidence for an item, learned from annotated sentences (eval/ANNOTATION.md).

`model` holds the learned numbers and applies them; `features` says what the judge reads
of a (sentence, item) pair; `train` (scikit-learn, at training time only) fits them.
"""
