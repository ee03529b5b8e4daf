"""Sentiment scoring for brand mentions.

Importing this package must stay cheap: no scikit-learn, no jieba at import time.
"""
