"""The MILP as arrays of eligible pairs: `arrays` holds the model's containers, `pooling` the
index sets and fixings of shared centres, `build` the recipe of steps that fills them."""
