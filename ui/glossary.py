"""One glossary for every page. Keys are the terms as pages name them."""

GLOSSARY: dict[str, str] = {
    "token": "A piece of text the model treats as one unit: a whole word, part of a word, "
    "a space plus a word, or a punctuation mark. Each token has an integer id.",
    "tokenizer": "The fixed procedure that cuts text into tokens and maps each to its id. "
    "WordPiece marks word-continuing pieces with ##; byte-level BPE marks a leading space with Ġ (shown here as ␣).",
    "vector": "An ordered list of numbers. A model represents every token as a vector with "
    "hundreds of components.",
    "embedding": "The vector a model assigns to a token. The static embedding is a row of the "
    "embedding matrix, looked up before the model has read any context.",
    "embedding matrix": "A table with one row per vocabulary token and one column per dimension "
    "(vocabulary size × d_model). Looking up a token means selecting its row.",
    "sentence embedding": "One vector for a whole phrase or sentence, here the mean of the "
    "encoder's final token vectors, normalised.",
    "dimension": "One position in a vector. Model dimensions carry no labels of their own; "
    "meaning lives in directions that combine many of them.",
    "dot product": "Multiply matching components of two vectors and add the products. Large and "
    "positive when the vectors point the same way, near zero when unrelated, negative when opposed.",
    "norm": "The length of a vector: the square root of its dot product with itself.",
    "cosine similarity": "The dot product of two vectors divided by both lengths: the cosine of the "
    "angle between them, from -1 (opposite) through 0 (at right angles) to 1 (same direction).",
    "euclidean distance": "The straight-line distance between the tips of two vectors.",
    "anisotropy": "Model vectors tend to crowd into a narrow cone, so even unrelated words have a "
    "positive cosine. The baseline (mean cosine of random pairs) shows how high 'unrelated' is.",
    "rogue dimensions": "A handful of dimensions with very large values that dominate dot products "
    "and cosines. Standardising each dimension (subtract its mean, divide by its spread over the "
    "vocabulary) removes their weight.",
    "scalar projection": "How far a vector reaches along a direction: its dot product with the "
    "unit vector of that direction.",
    "analogy": "Vector arithmetic such as king - man + woman, followed by a search for the "
    "vocabulary word nearest to the result.",
    "nearest neighbours": "The vocabulary tokens whose vectors score highest against a given vector.",
    "matrix multiplication": "Many dot products at once: each output number is the dot product of "
    "one row of the first matrix with one column of the second.",
    "PCA": "Principal component analysis: the flat view that keeps as much of the points' spread "
    "(variance) as possible. Linear, fast and the same every time.",
    "UMAP": "A non-linear map that tries to keep each point's nearest neighbours near it on the "
    "page. Distances between far-apart clusters carry little meaning.",
    "t-SNE": "Another neighbour-keeping map, slower than UMAP; cluster sizes and gaps are not to scale.",
    "explained variance": "The share of the points' total spread that one principal component captures.",
    "trustworthiness": "A score from 0 to 1: how many of the neighbours seen in the picture are "
    "real neighbours in the full space (1 means no false neighbours).",
    "false neighbour": "A word that looks close in the projection but is not among the nearest in the full space.",
    "custom axes": "A map whose axes you name: each is a direction from one word's vector to another's "
    "(or one word's own vector), and every point is placed by its scalar projection on each. The two axes "
    "need not be at right angles; the cosine between them says how far they overlap.",
    "contextual vector": "The vector a model holds for a token after reading the words around it; "
    "it changes from layer to layer and from sentence to sentence.",
    "layer": "One transformer block: attention followed by an MLP, each adding its result to the "
    "residual stream.",
    "self-similarity": "The mean cosine between the vectors of one word across different sentences "
    "at one layer. Lower means the layer makes the word more context-specific.",
    "encoder": "A model whose tokens attend to the whole input, words before and after.",
    "causal language model": "A model that predicts the next token; each token attends only to "
    "itself and the tokens before it.",
    "attention": "Each token scores every visible token by a dot product of its query with their "
    "keys, turns the scores into weights with softmax, and takes the weighted sum of their values.",
    "query, key, value": "Three vectors made from each token by multiplying with learned matrices "
    "W_Q, W_K, W_V: the query asks, keys answer the question 'am I relevant?', values carry the content.",
    "attention head": "One independent attention computation with its own W_Q, W_K, W_V. Heads run side "
    "by side and their outputs are concatenated.",
    "grouped-query attention": "Several query heads share one key/value head, which saves memory "
    "(SmolLM2: 9 query heads, 3 key/value heads).",
    "causal mask": "Scores for future tokens are set to minus infinity before softmax, so a token "
    "cannot look ahead.",
    "softmax": "Turns any list of scores into probabilities: exponentiate each, divide by the sum.",
    "residual stream": "The running vector of each token. Every attention and MLP sublayer reads it "
    "and adds its output back to it (a BERT encoder then normalises the sum).",
    "MLP": "The feed-forward part of a block: expand the vector, apply a non-linearity, project "
    "back. Each hidden neuron is a dot product with a learned detector.",
    "normalisation": "LayerNorm or RMSNorm rescales a vector to a standard size: before each sublayer "
    "in GPT-2 and Llama (pre-norm), after each residual addition in BERT encoders (post-norm).",
    "rotary position embedding": "RoPE rotates pairs of query and key components by an angle that "
    "grows with position, so q·k depends on how far apart two tokens are.",
    "logits": "One raw score per vocabulary token: the dot product of the final vector with that "
    "token's output row.",
    "logit lens": "Apply the final normalisation and unembedding to an intermediate residual vector "
    "to see which token the model would predict if it stopped there.",
    "temperature": "Divide the logits by T before softmax: below 1 sharpens the distribution, above 1 flattens it.",
    "top-k": "Keep only the k most probable tokens, then renormalise.",
    "top-p": "Keep the smallest set of most probable tokens whose probabilities add up to at least p, "
    "then renormalise (nucleus sampling).",
    "entropy": "How spread out a distribution is, in bits: 0 when one token is certain.",
    "key/value cache": "Keys and values of earlier tokens never change, so generation stores them "
    "and computes new ones only for the newest token.",
    "loss": "Cross-entropy: minus the log of the probability the model gave the true next token. "
    "Zero when the model was certain and right.",
    "gradient": "For each weight, how much the loss would change if that weight were nudged; "
    "training moves weights a small step against it.",
    "learning rate": "The size of the step taken against the gradient.",
    "tied embeddings": "The same matrix serves as the input embedding and as the output projection "
    "to logits, so it receives gradient through both paths.",
    "parameter": "One learned number in the model.",
    "projection": "A map of high-dimensional vectors onto 2 or 3 axes so they can be drawn. Every "
    "projection throws information away; the question is which.",
    "seed": "The number that starts a method's random choices. The same seed gives the same map; "
    "another seed can give a rotated, mirrored or rearranged one.",
    "Procrustes disparity": "How different two maps of the same points are after the best shift, "
    "scaling and rotation of one onto the other: 0 for the same picture, up to 1 for unrelated ones.",
    "greedy decoding": "Always pick the most probable next token; the same as temperature 0. "
    "It repeats itself easily because it never takes a chance.",
    "ablation": "Switching one part of a model off (here: zeroing one attention head's output) and "
    "rerunning it, to see what that part contributed.",
    "multiply-add": "One multiplication followed by one addition, a·b + c: the unit of work of a "
    "dot product. A dot product of two n-number vectors takes n of them.",
    "backpropagation": "Working backwards from the loss through every layer with the chain rule, "
    "so each weight learns its own share of the blame: its gradient.",
    "sparse update": "An update that changes only some rows of a matrix. The input lookup makes the "
    "embedding gradient sparse: only rows of tokens that were read get any.",
    "SGD": "Stochastic gradient descent: move every weight by the learning rate times its gradient, "
    "in the downhill direction.",
    "Adam": "An optimizer that keeps running averages of each weight's gradient and of its square, "
    "and divides one by the root of the other, so each weight takes a step of about the learning rate.",
    "word sense": "One of the meanings of an ambiguous word: the bank of a river and the bank that "
    "holds money are two senses of the same spelling, and get the same static embedding.",
    "adjusted self-similarity": "Self-similarity minus the anisotropy baseline at the same layer: how "
    "much more alike the word's vectors are than two random words' vectors (Ethayarajh, 2019).",
}
