"""The MILP as arrays of eligible pairs: `arrays` holds the model's containers, `build` the
recipe of steps that fills them."""
